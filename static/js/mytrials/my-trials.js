// The My trials page: the saved trials (and those with notes) as they are now, marked
// when their status changed since they were saved; sharing some of them through a link
// and a passcode; and the links shared from this browser, which can be revoked.
import { announce } from "./announce.js";
import { postJson, trialFacts } from "./api.js";
import { missingCard, notesList, savedOn, trialCard, trialUrl } from "./cards.js";
import * as sealing from "./crypto.js";
import { h } from "./dom.js";
import * as store from "./store.js";
import { formatDate, t, tn } from "./strings.js";

const root = document.getElementById("my-trials");
const app = root?.querySelector("[data-my-trials-app]");
const list = app?.querySelector("[data-my-trials-list]");
const statusLine = app?.querySelector("[data-my-trials-status]");
const shareForm = app?.querySelector("[data-share-form]");
const facts = { trials: new Map(), missing: new Set(), checked: new Set() };
const unticked = new Set(); // trials the patient left out of the next shared link
let listed = []; // the trials on the page, in order: saved ones stay until the page is left

function wanted() {
  const saved = store.savedTrials();
  const byDate = Object.keys(saved).sort((a, b) => (saved[b].savedAt || "").localeCompare(saved[a].savedAt || ""));
  const ids = [...new Set([...listed, ...byDate, ...store.trialsWithNotes()])];
  return ids.filter((id) => listed.includes(id) || store.isSaved(id) || store.notesFor(id).length);
}

async function checkFacts(ids) {
  const unknown = ids.filter((id) => !facts.checked.has(id));
  if (!unknown.length) return;
  statusLine.textContent = t("checking_status");
  try {
    const found = await trialFacts(root.dataset.factsUrl, unknown);
    for (const [id, trial] of found.trials) facts.trials.set(id, trial);
    for (const id of found.missing) facts.missing.add(id);
    for (const id of unknown) facts.checked.add(id);
    statusLine.textContent = "";
  } catch {
    statusLine.textContent = t("status_unavailable");
  }
}

// "Now recruiting", "Closed since you saved it"…: what changed since the patient saw it.
function statusChange(saved, status) {
  if (!saved?.status || saved.status === status.code) return null;
  if (!saved.open && status.open) {
    return status.code === "RECRUITING" ? t("now_recruiting") : t("now_open", { status: status.label });
  }
  if (saved.open && !status.open) return t("closed_since_saved");
  return t("status_changed");
}

function saveToggle(nct, trial, saved) {
  const title = trial?.title ?? saved?.title ?? nct;
  return h(
    "button",
    {
      type: "button",
      class: "save-toggle",
      "aria-pressed": String(Boolean(saved)),
      "data-save-nct": nct,
      "data-save-title": title,
      "data-save-status": trial?.status.code ?? saved?.status ?? "",
      "data-save-status-label": trial?.status.label ?? saved?.statusLabel ?? "",
      "data-save-open": String(trial?.status.open ?? saved?.open ?? false),
      "data-focus-key": `save-${nct}`,
    },
    h("span", { class: "save-icon", "aria-hidden": "true" }),
    t("save"),
    h("span", { class: "visually-hidden" }, `: ${title}`),
  );
}

function card(nct) {
  const saved = store.savedTrials()[nct];
  const notes = notesList(nct, store.notesFor(nct), { heading: t("your_notes"), linked: true });
  if (facts.missing.has(nct)) {
    const forget = h("button", { type: "button", class: "button", "data-forget": nct, "data-focus-key": `forget-${nct}` }, t("forget_trial"));
    return missingCard(nct, saved?.title, {
      extraFacts: [savedOn(saved?.savedAt)],
      after: [notes, h("p", { class: "card-actions" }, forget)].flat(),
    });
  }
  const trial = facts.trials.get(nct);
  const actions = h("p", { class: "card-actions" }, saveToggle(nct, trial, saved));
  if (!trial) {
    // Not checked (the server could not be reached): what was saved.
    return h(
      "li",
      { class: "card my-trial", id: `trial-${nct}` },
      h("h2", { class: "card-title" }, h("a", { href: trialUrl(nct) }, saved?.title ?? nct)),
      saved?.statusLabel ? h("p", { class: "hint" }, t("status_when_saved", { status: saved.statusLabel })) : null,
      notes,
      actions,
    );
  }
  const change = statusChange(saved, trial.status);
  const before = change
    ? [
        h(
          "p",
          { class: "status-change" },
          h("strong", {}, change),
          " ",
          t("status_was", { status: saved.statusLabel }),
          " ",
          h("button", { type: "button", class: "link-button", "data-acknowledge": nct, "data-focus-key": `ack-${nct}` }, t("acknowledge"), h("span", { class: "visually-hidden" }, `: ${trial.title}`)),
        ),
      ]
    : [];
  return trialCard(nct, trial, {
    extraFacts: [savedOn(saved?.savedAt)],
    before,
    after: [notes, actions].flat(),
  });
}

function renderList() {
  const focused = document.activeElement?.closest("[data-focus-key]")?.dataset.focusKey;
  listed = wanted();
  list.replaceChildren(...listed.map(card));
  app.querySelector("[data-my-trials-empty]").hidden = listed.length > 0;
  app.querySelector("[data-share-panel]").hidden = listed.length === 0;
  root.querySelector("[data-listed-count]").textContent = listed.length ? `(${tn("trials_listed", listed.length)})` : "";
  renderChoices();
  if (focused) {
    const again = list.querySelector(`[data-focus-key="${focused}"]`);
    const nct = focused.replace(/^[a-z]+-/, "");
    (again ?? document.querySelector(`#trial-${CSS.escape(nct)} .card-title a`))?.focus();
  }
}

// Sharing

function titleOf(nct) {
  return facts.trials.get(nct)?.title ?? store.savedTrials()[nct]?.title ?? nct;
}

function renderChoices() {
  const choices = shareForm.querySelector("[data-share-choices]");
  choices.replaceChildren(
    ...listed
      .filter((nct) => !facts.missing.has(nct))
      .map((nct) =>
        h(
          "div",
          { class: "checkbox" },
          h("input", { type: "checkbox", id: `share-${nct}`, value: nct, checked: !unticked.has(nct) }),
          h("label", { for: `share-${nct}` }, titleOf(nct), h("span", { class: "hint-inline" }, ` (${nct})`)),
        ),
      ),
  );
}

function shareError(message) {
  const error = shareForm.querySelector("[data-share-error]");
  error.textContent = message;
  error.hidden = !message;
}

async function share(event) {
  event.preventDefault();
  const chosen = [...shareForm.querySelectorAll("[data-share-choices] input:checked")].map((input) => input.value);
  if (!chosen.length) {
    shareError(t("share_none_ticked"));
    shareForm.querySelector("[data-share-choices] input")?.focus();
    return;
  }
  shareError("");
  const withNotes = shareForm.elements.notes.checked;
  const content = {
    version: 1,
    sharedAt: new Date().toISOString(),
    trials: chosen.map((nct) => ({
      nct_id: nct,
      title: titleOf(nct),
      notes: withNotes
        ? store.notesFor(nct).map(({ text, target, created }) => ({ text, target, created }))
        : [],
    })),
  };
  const button = shareForm.querySelector("[type=submit]");
  const progress = shareForm.querySelector("[data-share-progress]");
  button.disabled = true;
  progress.textContent = t("share_locking");
  try {
    const passcode = sealing.newPasscode();
    const sealed = await sealing.seal(content, passcode);
    const { status, data } = await postJson(root.dataset.shareUrl, { ...sealed, days: Number(shareForm.elements.days.value) });
    if (status !== 201) {
      shareError(status === 429 ? t("share_too_many") : t("share_failed"));
      return;
    }
    store.addShare({
      id: data.id,
      url: data.url,
      revokeToken: data.revoke_token,
      createdAt: new Date().toISOString(),
      expiresAt: data.expires_at,
      count: chosen.length,
      withNotes: withNotes && content.trials.some((trial) => trial.notes.length),
    });
    showResult(data.url, passcode, data.expires_at);
  } catch {
    shareError(t("share_failed"));
  } finally {
    button.disabled = false;
    progress.textContent = "";
  }
}

function showResult(url, passcode, expiresAt) {
  const result = app.querySelector("[data-share-result]");
  result.querySelector("[data-share-link]").value = url;
  result.querySelector("[data-share-passcode]").textContent = sealing.formatPasscode(passcode);
  result.querySelector("[data-share-expires]").textContent = formatDate(expiresAt);
  result.hidden = false;
  result.focus();
}

function hideResult() {
  const result = app.querySelector("[data-share-result]");
  result.querySelector("[data-share-passcode]").textContent = "";
  result.querySelector("[data-share-link]").value = "";
  result.hidden = true;
  app.querySelector("#shares-heading")?.focus();
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    announce(t("copied"));
  } catch {
    announce(t("copy_failed"));
  }
}

function renderShares() {
  const panel = app.querySelector("[data-shares-panel]");
  const shares = store.shares();
  panel.hidden = shares.length === 0;
  const now = Date.now();
  panel.querySelector("[data-shares-list]").replaceChildren(
    ...shares.map((share) => {
      const expired = new Date(share.expiresAt).getTime() <= now;
      const what = share.withNotes ? tn("shared_trials_with_notes", share.count) : tn("shared_trials", share.count);
      return h(
        "li",
        { class: "shared-link" },
        h("p", {}, t("shared_on", { date: formatDate(share.createdAt) }), " ", what),
        h("p", { class: "shared-url" }, share.url),
        h("p", { class: expired ? "notice" : "hint" }, expired ? t("link_expired") : t("link_until", { date: formatDate(share.expiresAt) })),
        h(
          "p",
          { class: "card-actions" },
          expired
            ? h("button", { type: "button", class: "button", "data-forget-share": share.id }, t("remove_from_list"))
            : h("button", { type: "button", class: "button danger", "data-revoke": share.id }, t("revoke")),
        ),
      );
    }),
  );
}

async function revoke(id, button) {
  const share = store.shares().find((s) => s.id === id);
  if (!share) return;
  button.disabled = true;
  const { status } = await postJson(root.dataset.revokeUrl, { id, token: share.revokeToken }).catch(() => ({ status: 0 }));
  button.disabled = false;
  if (status === 204) {
    store.removeShare(id);
    announce(t("revoked"));
    app.querySelector("#shares-heading")?.focus();
  } else {
    announce(t("revoke_failed"));
  }
}

async function start() {
  app.hidden = false;
  listed = wanted();
  await checkFacts(listed);
  renderList();
  renderShares();
  const refresh = async () => {
    await checkFacts(wanted());
    renderList();
    renderShares();
  };
  document.addEventListener(store.CHANGED, refresh);
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) refresh(); // back from a trial page, where the list may have changed
  });
  app.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.dataset.acknowledge) {
      const trial = facts.trials.get(target.dataset.acknowledge);
      store.acknowledgeStatus(target.dataset.acknowledge, {
        status: trial.status.code,
        statusLabel: trial.status.label,
        open: trial.status.open,
      });
    }
    if (target.dataset.forget) {
      store.forget(target.dataset.forget);
      listed = listed.filter((id) => id !== target.dataset.forget);
      renderList();
      announce(t("forgotten"));
    }
    if (target.dataset.revoke) revoke(target.dataset.revoke, target);
    if (target.dataset.forgetShare) store.removeShare(target.dataset.forgetShare);
    if ("copyLink" in target.dataset) copy(app.querySelector("[data-share-link]").value);
    if ("copyPasscode" in target.dataset) copy(app.querySelector("[data-share-passcode]").textContent);
    if ("shareDone" in target.dataset) hideResult();
  });
  shareForm.addEventListener("change", (event) => {
    if (event.target.closest("[data-share-choices]")) {
      if (event.target.checked) unticked.delete(event.target.value);
      else unticked.add(event.target.value);
    }
  });
  shareForm.addEventListener("submit", share);
  if (!sealing.supported()) {
    shareForm.hidden = true;
    app.querySelector("[data-share-unsupported]").hidden = false;
  }
}

if (root && app) {
  if (store.available()) start();
  else root.querySelector("[data-storage-off]").hidden = false;
}
