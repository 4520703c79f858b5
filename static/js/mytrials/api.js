// The server's JSON endpoints used by My trials and shared lists. Their addresses come
// from the page (data-*-url attributes, written by Django's {% url %}).

const BATCH = 100; // the most NCT IDs the server answers at a time

function csrfToken() {
  // base.html gives htmx the token on <body hx-headers>; the scripts read it there.
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
  return { status: response.status, data };
}

// The trials as they are now: {trials: Map(NCT -> facts), missing: Set(NCT)}.
export async function trialFacts(url, ids) {
  const trials = new Map();
  const missing = new Set();
  for (let i = 0; i < ids.length; i += BATCH) {
    const query = new URLSearchParams(ids.slice(i, i + BATCH).map((id) => ["nct", id]));
    const response = await fetch(`${url}?${query}`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const data = await response.json();
    for (const trial of data.trials) trials.set(trial.nct_id, trial);
    for (const id of data.missing) missing.add(id);
  }
  return { trials, missing };
}
