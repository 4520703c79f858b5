// On every page: the "Save" toggles of trials, "My trials" in the header with its count,
// and the print buttons. Without JavaScript (or storage) none of them is shown.
import { announce } from "./announce.js";
import * as store from "./store.js";
import { formatDate, t } from "./strings.js";

function refresh(root = document) {
  const saved = store.savedTrials();
  for (const button of root.querySelectorAll("[data-save-nct]")) {
    button.hidden = false;
    button.setAttribute("aria-pressed", String(Object.hasOwn(saved, button.dataset.saveNct)));
  }
  const link = document.querySelector("[data-my-trials-link]");
  const count = Object.keys(saved).length;
  if (link) {
    link.hidden = false;
    const badge = link.querySelector("[data-my-trials-count]");
    badge.textContent = String(count);
    badge.parentElement.hidden = count === 0;
  }
}

function toggle(button) {
  const { saveNct: nct, saveTitle: title, saveStatus: status, saveStatusLabel: statusLabel } = button.dataset;
  if (store.isSaved(nct)) {
    store.unsave(nct);
    announce(t("unsaved"));
  } else {
    store.save(nct, { title, status, statusLabel, open: button.dataset.saveOpen === "true" });
    announce(t("saved"));
  }
}

// The date a printout shows is the day it is printed, in the reader's own words.
function datePrintouts() {
  const today = formatDate(new Date().toISOString());
  for (const element of document.querySelectorAll("[data-print-date]")) element.textContent = today;
}

if (store.available()) {
  refresh();
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-save-nct]");
    if (button) toggle(button);
  });
  document.addEventListener(store.CHANGED, () => refresh());
  // A page shown again from the back-forward cache may predate a change made elsewhere.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) refresh();
  });
  // Result cards that htmx brings in (a new search, the next page)
  document.addEventListener("htmx:load", (event) => refresh(event.target));
}

for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
window.addEventListener("beforeprint", datePrintouts);
