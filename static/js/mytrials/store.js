// The patient's saved trials, notes and shared links. They live in this browser only
// (localStorage) and reach the server only inside an encrypted shared list.
//
//   saved:  {NCT…: {title, status, statusLabel, open, savedAt}}; the status is the one
//           the patient last saw, to say when it has changed.
//   notes:  {NCT…: [{id, text, target, created, updated}]}; target is anchor.js's
//           description of the passage.
//   shares: [{id, url, revokeToken, createdAt, expiresAt, count, withNotes}]

const KEYS = {
  saved: "trialfinder.saved.v1",
  notes: "trialfinder.notes.v1",
  shares: "trialfinder.shares.v1",
};
export const CHANGED = "mytrials:changed";
export const NOTE_MAX = 2000;

function read(key, empty) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value && typeof value === "object" && Array.isArray(value) === Array.isArray(empty)
      ? value
      : empty;
  } catch {
    return empty;
  }
}

function write(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
  document.dispatchEvent(new CustomEvent(CHANGED));
}

// Another tab changed the list: this one shows it too.
window.addEventListener("storage", (event) => {
  if (Object.values(KEYS).includes(event.key)) document.dispatchEvent(new CustomEvent(CHANGED));
});

export function available() {
  try {
    localStorage.setItem("trialfinder.probe", "1");
    localStorage.removeItem("trialfinder.probe");
    return true;
  } catch {
    return false; // storage turned off, or full: the features are not offered
  }
}

export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Saved trials

export function savedTrials() {
  return read(KEYS.saved, {});
}

export function isSaved(nct) {
  return Object.hasOwn(savedTrials(), nct);
}

export function save(nct, { title, status, statusLabel, open }) {
  const saved = savedTrials();
  saved[nct] = { title, status, statusLabel, open, savedAt: new Date().toISOString() };
  write(KEYS.saved, saved);
}

export function unsave(nct) {
  const saved = savedTrials();
  delete saved[nct];
  write(KEYS.saved, saved);
}

// The patient has seen the trial's new status: it is no longer marked as changed.
export function acknowledgeStatus(nct, { status, statusLabel, open }) {
  const saved = savedTrials();
  if (!saved[nct]) return;
  Object.assign(saved[nct], { status, statusLabel, open });
  write(KEYS.saved, saved);
}

// Notes

function allNotes() {
  return read(KEYS.notes, {});
}

export function notesFor(nct) {
  const notes = allNotes()[nct];
  return Array.isArray(notes) ? notes : [];
}

export function trialsWithNotes() {
  return Object.entries(allNotes())
    .filter(([, notes]) => Array.isArray(notes) && notes.length)
    .map(([nct]) => nct);
}

function writeNotes(nct, notes) {
  const all = allNotes();
  if (notes.length) all[nct] = notes;
  else delete all[nct];
  write(KEYS.notes, all);
}

export function addNote(nct, { text, target }) {
  const now = new Date().toISOString();
  const note = { id: newId(), text: text.slice(0, NOTE_MAX), target, created: now, updated: now };
  writeNotes(nct, [...notesFor(nct), note]);
  return note;
}

export function updateNote(nct, id, text) {
  const now = new Date().toISOString();
  writeNotes(
    nct,
    notesFor(nct).map((n) => (n.id === id ? { ...n, text: text.slice(0, NOTE_MAX), updated: now } : n)),
  );
}

export function deleteNote(nct, id) {
  writeNotes(
    nct,
    notesFor(nct).filter((n) => n.id !== id),
  );
}

// A trial that no longer exists leaves the list with its notes.
export function forget(nct) {
  const saved = savedTrials();
  delete saved[nct];
  const notes = allNotes();
  delete notes[nct];
  localStorage.setItem(KEYS.saved, JSON.stringify(saved));
  write(KEYS.notes, notes);
}

// Notes from a shared list join the patient's own, once each.
export function importNotes(nct, notes) {
  const mine = notesFor(nct);
  const same = (a, b) => a.text === b.text && a.target?.quote?.exact === b.target?.quote?.exact;
  const added = notes.filter((n) => !mine.some((m) => same(m, n)));
  const now = new Date().toISOString();
  writeNotes(nct, [
    ...mine,
    ...added.map((n) => ({ id: newId(), text: n.text, target: n.target, created: n.created || now, updated: now })),
  ]);
  return added.length;
}

// Shared links (the revoke token never leaves this browser but to revoke)

export function shares() {
  return read(KEYS.shares, []);
}

export function addShare(share) {
  write(KEYS.shares, [share, ...shares()]);
}

export function removeShare(id) {
  write(
    KEYS.shares,
    shares().filter((s) => s.id !== id),
  );
}
