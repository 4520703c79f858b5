// The page a shared link opens: the passcode unlocks the list in this browser (the
// server releases the ciphertext only to the passcode's verifier), then the trials show
// as they are now, with the notes of the person who shared them, read-only, and
// "Save these to my list".
import { announce } from "./announce.js";
import { postJson, trialFacts } from "./api.js";
import { missingCard, NCT_ID, notesList, trialCard } from "./cards.js";
import * as sealing from "./crypto.js";
import { h } from "./dom.js";
import * as store from "./store.js";
import { formatDate, formatTime, t, tn } from "./strings.js";

const app = document.querySelector("[data-shared-app]");
const form = app?.querySelector("[data-passcode-form]");
const input = form?.querySelector("input");
const error = form?.querySelector("[data-passcode-error]");
const progress = form?.querySelector("[data-passcode-status]");
let shown = null; // {trials: [{nct_id, title, notes}], facts}

function showError(message) {
  error.textContent = message;
  error.hidden = !message;
  input.toggleAttribute("aria-invalid", Boolean(message));
  input.setAttribute("aria-describedby", message ? `${error.id} ${input.dataset.hint}` : input.dataset.hint);
  if (message) input.focus();
}

function expired(destroyed) {
  document.querySelector("h1").textContent = t("link_expired");
  app.replaceChildren(
    h("p", {}, destroyed ? t("link_destroyed") : t("link_expired_why")),
    h("p", {}, t("ask_for_new_link")),
  );
  document.querySelector("h1").focus();
}

const text = (value, max) => (typeof value === "string" ? value.slice(0, max) : "");

// Where a shared note's passage is (anchor.js's selectors), or null.
function cleanTarget(target) {
  const exact = text(target?.quote?.exact, 20000);
  if (!exact) return null;
  const start = Number(target.position?.start);
  return {
    section: text(target.section, 100),
    quote: { type: "TextQuoteSelector", exact, prefix: text(target.quote.prefix, 64), suffix: text(target.quote.suffix, 64) },
    position: Number.isInteger(start) ? { type: "TextPositionSelector", start, end: start + exact.length } : null,
  };
}

// A shared list is read as untrusted data: only well-formed trials and notes, as text.
function cleanContent(content) {
  const trials = Array.isArray(content?.trials) ? content.trials : [];
  return {
    sharedAt: text(content?.sharedAt, 40),
    trials: trials
      .filter((trial) => NCT_ID.test(trial?.nct_id ?? ""))
      .slice(0, 500)
      .map((trial) => ({
        nct_id: trial.nct_id,
        title: text(trial.title, 500),
        notes: (Array.isArray(trial.notes) ? trial.notes : [])
          .filter((note) => typeof note?.text === "string" && note.text.trim())
          .map((note) => ({
            text: text(note.text, store.NOTE_MAX),
            created: text(note.created, 40),
            target: cleanTarget(note.target),
          })),
      })),
  };
}

async function unlock(event) {
  event.preventDefault();
  const passcode = sealing.normalizePasscode(input.value);
  if (!passcode) {
    showError(t("passcode_format"));
    return;
  }
  showError("");
  const button = form.querySelector("[type=submit]");
  button.disabled = true;
  progress.textContent = t("checking_passcode");
  try {
    const salt = sealing.fromBase64(app.dataset.salt);
    const { key, verifier } = await sealing.keys(passcode, salt, Number(app.dataset.iterations));
    const { status, data } = await postJson(app.dataset.unlockUrl, { id: app.dataset.linkId, verifier });
    if (status === 200) {
      await show(cleanContent(await sealing.unseal(data, key)));
    } else if (status === 403) {
      showError(
        data.tries_before_lock > 0 ? tn("wrong_passcode_tries", data.tries_before_lock) : t("wrong_passcode"),
      );
    } else if (status === 429 && data.error === "locked") {
      showError(
        `${t("locked_until", { time: formatTime(data.locked_until), date: formatDate(data.locked_until) })} ${tn("tries_before_destroyed", data.tries_left)}`,
      );
    } else if (status === 429) {
      showError(t("too_many_from_here"));
    } else if (status === 410) {
      expired(data.error === "destroyed");
    } else {
      showError(t("open_failed"));
    }
  } catch {
    showError(t("open_failed"));
  } finally {
    button.disabled = false;
    progress.textContent = "";
  }
}

async function show(content) {
  let facts = { trials: new Map(), missing: new Set() };
  const panel = app.querySelector("[data-shared-content]");
  try {
    facts = await trialFacts(app.dataset.factsUrl, content.trials.map((trial) => trial.nct_id));
  } catch {
    panel.querySelector("[data-shared-status]").textContent = t("status_unavailable");
  }
  shown = { ...content, facts };
  const cards = content.trials.map(({ nct_id: nct, title, notes }) => {
    const theirNotes = notesList(nct, notes, { heading: t("their_notes"), linked: false });
    const trial = facts.trials.get(nct);
    if (trial) return trialCard(nct, trial, { after: [theirNotes].flat() });
    return missingCard(nct, title, { after: [theirNotes].flat() });
  });
  panel.querySelector("[data-shared-intro]").textContent = content.sharedAt
    ? t("shared_intro", { date: formatDate(content.sharedAt) })
    : t("shared_intro_undated");
  panel.querySelector("[data-shared-trials]").replaceChildren(...cards);
  const withNotes = content.trials.some((trial) => trial.notes.length);
  panel.querySelector("[data-save-notes-choice]").hidden = !withNotes;
  panel.querySelector("[data-save-these]").parentElement.hidden = !store.available();
  form.hidden = true;
  panel.hidden = false;
  panel.focus();
}

function saveThese() {
  const keepNotes = app.querySelector("#save-notes").checked;
  let count = 0;
  for (const { nct_id: nct, notes } of shown.trials) {
    const trial = shown.facts.trials.get(nct);
    if (!trial) continue;
    if (!store.isSaved(nct)) {
      store.save(nct, {
        title: trial.title,
        status: trial.status.code,
        statusLabel: trial.status.label,
        open: trial.status.open,
      });
    }
    if (keepNotes) store.importNotes(nct, notes.filter((note) => note.target));
    count++;
  }
  const status = app.querySelector("[data-save-these-status]");
  status.replaceChildren(tn("saved_these", count), " ", h("a", { href: app.dataset.myTrialsUrl }, t("open_my_trials")));
  announce(tn("saved_these", count));
}

if (app) {
  if (sealing.supported()) {
    app.hidden = false;
    form.addEventListener("submit", unlock);
    app.querySelector("[data-save-these]").addEventListener("click", saveThese);
  } else {
    document.querySelector("[data-crypto-unsupported]").hidden = false;
  }
}
