// Encryption of a shared list, in the browser (WebCrypto), so that the server never
// sees the list, the passcode or the key (scheme 1; trials/sharing.py says what the
// server does):
//
//   secret   = PBKDF2-HMAC-SHA256(passcode, salt: 16 random bytes, ITERATIONS)
//   key      = HKDF-SHA256(secret, info "TrialFinder shared list key v1")   AES-256-GCM
//   verifier = HKDF-SHA256(secret, info "TrialFinder shared list verifier v1")   32 bytes
//
// The server keeps a hash of the verifier and releases the ciphertext only to a request
// that brings it; the verifier says nothing about the key. The passcode is random (12
// characters, about 59 bits), made here, and shown once to the person sharing.

export const VERSION = 1;
export const ITERATIONS = 600000;
// No 0/O, 1/I/L: a passcode is read out over the phone.
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
export const PASSCODE_LENGTH = 12;
const AAD = new TextEncoder().encode("TrialFinder shared list v1");
const encode = (text) => new TextEncoder().encode(text);

export function supported() {
  return Boolean(globalThis.crypto?.subtle);
}

export function newPasscode() {
  const chars = [];
  while (chars.length < PASSCODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(PASSCODE_LENGTH * 2))) {
      // Bytes at or above the largest multiple of the alphabet's size are dropped, so
      // that every character is equally likely.
      if (byte < 256 - (256 % ALPHABET.length) && chars.length < PASSCODE_LENGTH) {
        chars.push(ALPHABET[byte % ALPHABET.length]);
      }
    }
  }
  return chars.join("");
}

// "7KQ2MX9P4T3W" -> "7KQ2-MX9P-4T3W", easier to read out and to copy.
export function formatPasscode(passcode) {
  return passcode.match(/.{1,4}/g).join("-");
}

// What a person typed, as a passcode: case, spaces and dashes do not matter; null if it
// cannot be one.
export function normalizePasscode(typed) {
  const passcode = typed.toUpperCase().replace(/[\s-]/g, "");
  const valid = passcode.length === PASSCODE_LENGTH && [...passcode].every((c) => ALPHABET.includes(c));
  return valid ? passcode : null;
}

export function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// The AES key and the verifier (base64) of a passcode.
export async function keys(passcode, salt, iterations) {
  const material = await crypto.subtle.importKey("raw", encode(passcode), "PBKDF2", false, ["deriveBits"]);
  const secret = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, material, 256);
  const hkdf = await crypto.subtle.importKey("raw", secret, "HKDF", false, ["deriveKey", "deriveBits"]);
  const info = (purpose) => ({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: encode(purpose) });
  const key = await crypto.subtle.deriveKey(
    info("TrialFinder shared list key v1"),
    hkdf,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  const verifier = await crypto.subtle.deriveBits(info("TrialFinder shared list verifier v1"), hkdf, 256);
  return { key, verifier: toBase64(new Uint8Array(verifier)) };
}

// What the server stores for `content` (any JSON) under `passcode`.
export async function seal(content, passcode, iterations = ITERATIONS) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const { key, verifier } = await keys(passcode, salt, iterations);
  const plaintext = encode(JSON.stringify(content));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: AAD }, key, plaintext);
  return {
    version: VERSION,
    ciphertext: toBase64(new Uint8Array(ciphertext)),
    iv: toBase64(iv),
    salt: toBase64(salt),
    iterations,
    verifier,
  };
}

// The content back from the server's {ciphertext, iv}, with the key of keys().
export async function unseal({ ciphertext, iv }, key) {
  const plaintext = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv), additionalData: AAD },
    key,
    fromBase64(ciphertext),
  );
  return JSON.parse(new TextDecoder().decode(plaintext));
}
