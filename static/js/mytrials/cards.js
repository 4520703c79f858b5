// A trial as My trials and a shared list show it: its status, phase and places now,
// and the notes on it.
import { h } from "./dom.js";
import { formatDate, t } from "./strings.js";

export const NCT_ID = /^NCT\d{1,12}$/;

export function trialUrl(nct) {
  return `/trials/${encodeURIComponent(nct)}/`;
}

function statusBadge(status) {
  const code = String(status.code || "").toLowerCase();
  return h("span", { class: `badge status status-${code}` }, status.label);
}

// Where the trial runs, from its record's cities and countries. The site nearest the
// patient needs their location, which distance search will bring: when it does, its
// nearest site belongs first here. Until then no distance is shown.
export function whereText(trial) {
  if (!trial.site_count) return t("no_sites");
  const cities = trial.cities.slice(0, 3).join(", ");
  const more = trial.cities.length > 3 ? ` ${t("and_others")}` : "";
  const countries = trial.countries.slice(0, 3).join(", ");
  return [cities + more, countries].filter(Boolean).join(" · ");
}

function fact(term, ...value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, ...value));
}

// The notes of one trial: the quoted passage and the note; `linked` links each to its
// place on the trial page (the patient's own notes, in their browser).
export function notesList(nct, notes, { heading, linked }) {
  if (!notes.length) return null;
  return [
    h("h3", { class: "my-trial-notes-heading" }, heading),
    h(
      "ul",
      { class: "my-trial-notes" },
      notes.map((note) =>
        h(
          "li",
          {},
          note.target?.quote?.exact ? h("blockquote", { class: "note-quote" }, `“${note.target.quote.exact}”`) : null,
          h("p", { class: "note-text" }, note.text),
          linked ? h("a", { href: `${trialUrl(nct)}#note-${note.id}`, class: "note-link" }, t("see_on_trial_page")) : null,
        ),
      ),
    ),
  ];
}

// A result card for a trial that exists: `extra` adds facts, `children` what follows them.
export function trialCard(nct, trial, { extraFacts = [], before = [], after = [] }) {
  return h(
    "li",
    { class: "card my-trial", id: `trial-${nct}` },
    h("h2", { class: "card-title" }, h("a", { href: trialUrl(nct) }, trial.title)),
    h(
      "p",
      { class: "badges" },
      statusBadge(trial.status),
      trial.phase_words ? h("span", { class: "badge phase" }, trial.phase_words) : null,
    ),
    ...before,
    h(
      "dl",
      { class: "facts" },
      fact(t("where"), whereText(trial)),
      trial.site_count
        ? fact(t("sites_recruiting"), t("sites_recruiting_of", { open: trial.recruiting_site_count, all: trial.site_count }))
        : null,
      fact(t("study_number"), nct),
      ...extraFacts,
    ),
    ...after,
  );
}

// A card for a trial that is no longer on the site, with the title it had.
export function missingCard(nct, title, { extraFacts = [], after = [] }) {
  return h(
    "li",
    { class: "card my-trial my-trial-missing", id: `trial-${nct}` },
    h("h2", { class: "card-title" }, title || nct),
    h("p", { class: "notice" }, t("trial_gone")),
    h("dl", { class: "facts" }, fact(t("study_number"), nct), ...extraFacts),
    ...after,
  );
}

export function savedOn(iso) {
  return iso ? fact(t("saved_on"), formatDate(iso)) : null;
}
