// Private notes on a trial page. A patient selects a passage and presses "Add a note"
// (a button beside the selection, next in the keyboard order), or presses "Add a note
// to this section" and picks the passage from a list. The passage is highlighted with
// <mark>, followed by a numbered link to the note; the note shows in a box after the
// passage and in the list "Your notes on this trial". Notes stay in this browser
// (store.js); a note whose passage an import removed stays in the list, with its quote.
import { announce } from "./announce.js";
import * as anchor from "./anchor.js";
import { h } from "./dom.js";
import * as store from "./store.js";
import { formatDate, t, tn } from "./strings.js";

const panel = document.getElementById("my-notes");
const article = panel?.closest("article");
const nct = panel?.dataset.notesNct;
const list = panel?.querySelector("[data-notes-list]");
const addButton = h("button", { type: "button", class: "add-note-button", "data-notes-ui": true, hidden: true }, t("add_note"));
let pending = null; // the selected passage the add button would note: {section, target}

// The sections a note can be on: the trial's own, not the list of notes, related trials,
// or a section holding a form (its text is the form's).
function sections() {
  return [...article.querySelectorAll("section.trial-section[id]")].filter(
    (section) =>
      !section.closest("[data-notes-ui], [data-no-notes]") &&
      section.id !== "related" &&
      !section.querySelector("form:not([data-notes-ui])"),
  );
}

function sectionOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  if (!element || element.closest("[data-notes-ui]")) return null;
  return sections().find((section) => section.contains(element)) ?? null;
}

// Puts `box` after the passage that ends in `node`, where a reader meets it next: at the
// end of its list item or cell, or after its paragraph (never loose inside a list).
function placeAfter(node, box, section) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const inside = element.closest("li, dd, dt, td, th");
  const after = element.closest("p, h2, h3, h4, h5, h6, pre, blockquote, summary");
  const innermost = inside && after ? (inside.contains(after) ? after : inside) : inside || after;
  if (!innermost || !section.contains(innermost) || innermost === section) {
    section.append(box);
  } else if (innermost === inside) {
    innermost.append(box);
  } else {
    let reference = innermost;
    while (reference.nextElementSibling?.matches(".note-box, .note-editor")) reference = reference.nextElementSibling;
    reference.after(box);
  }
}

// Where a note's passage is now: in its own section first, then in any other.
function find(target) {
  const all = sections();
  const own = all.find((section) => section.id === target.section);
  for (const root of own ? [own, ...all.filter((s) => s !== own)] : all) {
    const model = anchor.textOf(root);
    const match = anchor.locate(model.text, target);
    if (match) return { root, model, match };
  }
  return null;
}

// Rendering

function clear() {
  for (const element of article.querySelectorAll(".note-box, .note-ref, .note-editor")) element.remove();
  anchor.unwrap(article.querySelectorAll("mark.note-mark"));
  list.replaceChildren();
}

function actions(note, number) {
  const context = (label) => [label, h("span", { class: "visually-hidden" }, ` ${t("note_number", { number })}`)];
  return h(
    "div",
    { class: "note-actions" },
    h("button", { type: "button", class: "link-button", "data-note-action": "edit", "data-note-id": note.id }, ...context(t("edit"))),
    h("button", { type: "button", class: "link-button", "data-note-action": "delete", "data-note-id": note.id }, ...context(t("delete"))),
  );
}

function written(note) {
  return note.updated && note.updated !== note.created
    ? t("note_edited", { date: formatDate(note.updated) })
    : t("note_written", { date: formatDate(note.created) });
}

function noteBox(note, number) {
  return h(
    "div",
    { class: "note-box", id: `note-${note.id}`, tabindex: "-1", role: "note", "aria-labelledby": `note-${note.id}-title`, "data-notes-ui": true },
    h(
      "p",
      { class: "note-title" },
      h("span", { class: "note-number", "aria-hidden": "true" }, String(number)),
      " ",
      h("span", { id: `note-${note.id}-title` }, t("your_note_number", { number })),
      " ",
      h("a", { href: `#passage-${note.id}`, class: "note-back" }, t("back_to_passage")),
    ),
    h("p", { class: "note-text" }, note.text),
    h("p", { class: "note-meta" }, written(note)),
    actions(note, number),
  );
}

function listItem(note, number, gone) {
  return h(
    "li",
    { class: `note-item${gone ? " note-gone" : ""}`, id: `note-list-${note.id}` },
    h("span", { class: "note-number", "aria-hidden": "true" }, String(number)),
    gone ? h("p", { class: "notice" }, t("passage_gone")) : null,
    h("blockquote", { class: "note-quote" }, `“${note.target?.quote?.exact ?? ""}”`),
    h("p", { class: "note-text" }, note.text),
    h("p", { class: "note-meta" }, written(note)),
    gone ? null : h("p", { class: "note-links" }, h("a", { href: `#note-${note.id}` }, t("show_beside_passage", { number }))),
    actions(note, number),
  );
}

function render() {
  hideAddButton();
  clear();
  const placed = [];
  const gone = [];
  for (const note of store.notesFor(nct)) {
    const found = note.target ? find(note.target) : null;
    const marks = found
      ? anchor.wrap(found.model, found.match.start, found.match.end, () =>
          h("mark", { class: "note-mark", "data-note-id": note.id }),
        )
      : [];
    if (marks.length) placed.push({ note, marks, section: found.root });
    else gone.push(note);
  }
  placed.sort((a, b) => (a.marks[0].compareDocumentPosition(b.marks[0]) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
  placed.forEach(({ note, marks, section }, index) => {
    const number = index + 1;
    marks[0].id = `passage-${note.id}`;
    const last = marks[marks.length - 1];
    last.after(
      h("a", { class: "note-ref", href: `#note-${note.id}`, "aria-label": t("your_note_number", { number }), "data-notes-ui": true }, String(number)),
    );
    placeAfter(last, noteBox(note, number), section);
    list.append(listItem(note, number, false));
  });
  gone.forEach((note, index) => list.append(listItem(note, placed.length + index + 1, true)));
  const count = placed.length + gone.length;
  panel.hidden = count === 0;
  // A printout shows the notes beside their passages; the list only for the orphans.
  panel.toggleAttribute("data-all-placed", gone.length === 0);
  panel.querySelector("[data-notes-count]").textContent = count ? tn("notes_count", count) : "";
}

// The editor

function closeEditors() {
  for (const editor of article.querySelectorAll(".note-editor")) editor.remove();
  for (const element of article.querySelectorAll("[data-editing]")) {
    element.hidden = false;
    delete element.dataset.editing;
  }
}

// A form for a note's text; `choices` (for a whole section) adds a list of its passages.
function editor({ quote, text = "", choices = null, onSave, returnFocus }) {
  const id = store.newId();
  const textarea = h("textarea", { id: `note-text-${id}`, rows: "4", maxlength: String(store.NOTE_MAX), "aria-describedby": `note-hint-${id}` });
  textarea.value = text;
  const error = h("p", { class: "field-error", id: `note-error-${id}`, hidden: true });
  const select = choices
    ? h("select", { id: `note-passage-${id}` }, choices.map((choice, index) => h("option", { value: String(index) }, choice.label)))
    : null;
  const cancel = () => {
    closeEditors();
    returnFocus?.focus();
  };
  const form = h(
    "form",
    { class: "note-editor", "data-notes-ui": true, novalidate: true },
    quote ? h("p", { class: "note-editor-quote" }, t("note_on"), " ", h("q", {}, quote)) : null,
    select ? h("div", { class: "field" }, h("label", { for: select.id }, t("which_passage")), select) : null,
    h("label", { for: textarea.id }, t("your_note")),
    h("p", { class: "hint", id: `note-hint-${id}` }, t("note_private")),
    error,
    textarea,
    h(
      "div",
      { class: "note-editor-actions" },
      h("button", { type: "submit", class: "button primary" }, t("save_note")),
      h("button", { type: "button", class: "button", "data-cancel": true }, t("cancel")),
    ),
  );
  form.querySelector("[data-cancel]").addEventListener("click", cancel);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancel();
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = textarea.value.trim();
    if (!value) {
      error.textContent = t("note_empty");
      error.hidden = false;
      textarea.setAttribute("aria-invalid", "true");
      textarea.setAttribute("aria-describedby", `${error.id} note-hint-${id}`);
      textarea.focus();
      return;
    }
    onSave(value, select ? choices[Number(select.value)] : null);
  });
  return form;
}

function focusOn(element) {
  if (!element) return;
  if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
  element.focus();
}

function focusNote(id) {
  const box = document.getElementById(`note-${id}`) ?? document.getElementById(`note-list-${id}`);
  box?.closest("details")?.setAttribute("open", "");
  focusOn(box);
}

function addNote(target, text) {
  const note = store.addNote(nct, { text, target });
  focusNote(note.id);
  announce(t("note_saved"));
}

function startFromSelection() {
  if (!pending) return;
  const { section, target, endNode } = pending;
  closeEditors();
  const form = editor({ quote: target.quote.exact, onSave: (text) => addNote(target, text) });
  placeAfter(endNode, form, section);
  hideAddButton();
  document.getSelection().removeAllRanges();
  form.querySelector("textarea").focus();
}

// The passages a note on a whole section can be on: the section itself (its heading),
// then each paragraph, list item or cell that holds no other.
function passagesOf(section) {
  const BLOCKS = "p, li, dd, dt, td, th, h3, h4";
  const heading = section.querySelector("h2");
  const blocks = [...section.querySelectorAll(BLOCKS)].filter(
    (block) => !block.closest("[data-notes-ui]") && !block.querySelector(BLOCKS) && block.textContent.trim(),
  );
  const choice = (element, label) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return { element, label, target: { section: section.id, ...anchor.describe(section, range) } };
  };
  const short = (element) => {
    const { text } = anchor.textOf(element);
    return text.length > 90 ? `${text.slice(0, 88)}…` : text;
  };
  return [
    ...(heading ? [choice(heading, t("whole_section", { section: short(heading) }))] : []),
    ...blocks.map((block) => choice(block, short(block))),
  ].filter((passage) => passage.target.quote);
}

function startForSection(section, button) {
  closeEditors();
  const choices = passagesOf(section);
  const form = editor({
    choices,
    returnFocus: button,
    onSave: (text, choice) => addNote(choice.target, text),
  });
  button.after(form);
  form.querySelector("select").focus();
}

function startEditing(id, trigger) {
  const note = store.notesFor(nct).find((n) => n.id === id);
  const container = trigger.closest(".note-box, .note-item");
  if (!note || !container) return;
  closeEditors();
  const form = editor({
    quote: note.target?.quote?.exact,
    text: note.text,
    returnFocus: trigger,
    onSave: (text) => {
      store.updateNote(nct, id, text);
      focusNote(id);
      announce(t("note_updated"));
    },
  });
  for (const child of container.children) {
    child.hidden = true;
    child.dataset.editing = "";
  }
  container.append(form);
  form.querySelector("textarea").focus();
}

function confirmDelete(id, trigger) {
  const row = trigger.closest(".note-actions");
  const question = h(
    "div",
    { class: "note-actions note-confirm", role: "group", "aria-label": t("delete_question") },
    h("span", {}, t("delete_question")),
    h("button", { type: "button", class: "button danger", "data-confirm": "yes" }, t("delete_yes")),
    h("button", { type: "button", class: "button", "data-confirm": "no" }, t("delete_no")),
  );
  row.hidden = true;
  row.after(question);
  question.addEventListener("click", (event) => {
    const answer = event.target.closest("[data-confirm]")?.dataset.confirm;
    if (answer === "yes") {
      store.deleteNote(nct, id);
      focusOn(panel.hidden ? document.getElementById("trial-title") : panel.querySelector("h2"));
      announce(t("note_deleted"));
    } else if (answer === "no") {
      question.remove();
      row.hidden = false;
      trigger.focus();
    }
  });
  question.querySelector("[data-confirm=no]").focus();
}

// The button beside a selection

function hideAddButton() {
  addButton.hidden = true;
  pending = null;
}

function showAddButton(section, range) {
  if (addButton.parentElement === null || !section.contains(addButton)) section.append(addButton);
  // In the keyboard order right after the passage: Tab from the selection reaches it.
  placeAfter(range.endContainer, addButton, section);
  addButton.hidden = false;
  const rects = range.getClientRects();
  const end = rects[rects.length - 1] ?? range.getBoundingClientRect();
  const box = section.getBoundingClientRect();
  const left = Math.min(Math.max(0, end.right - box.left - addButton.offsetWidth / 2), box.width - addButton.offsetWidth);
  addButton.style.top = `${end.bottom - box.top + 6}px`;
  addButton.style.left = `${Math.max(0, left)}px`;
}

function onSelectionChange() {
  const selection = document.getSelection();
  if (!selection.rangeCount || selection.isCollapsed) {
    if (document.activeElement !== addButton) hideAddButton();
    return;
  }
  const range = selection.getRangeAt(0);
  const section = sectionOf(range.commonAncestorContainer);
  const target = section ? anchor.describe(section, range, { words: true }) : null;
  if (!target) {
    hideAddButton();
    return;
  }
  pending = { section, target: { section: section.id, ...target }, endNode: range.endContainer };
  showAddButton(section, range);
}

// Links to a note or a passage inside closed "details" open them first.
function reveal(id) {
  const element = document.getElementById(id);
  for (let details = element?.closest("details"); details; details = details.parentElement.closest("details")) {
    details.open = true;
  }
  return element;
}

// A printout shows every note: the "details" holding one are opened while printing.
let openedForPrint = [];
function openForPrint() {
  openedForPrint = [...article.querySelectorAll("details:not([open])")].filter((d) => d.querySelector("mark.note-mark, .note-box"));
  for (const details of openedForPrint) details.open = true;
}
function closeAfterPrint() {
  for (const details of openedForPrint) details.open = false;
  openedForPrint = [];
}

function start() {
  addButton.addEventListener("mousedown", (event) => event.preventDefault()); // keeps the selection
  addButton.addEventListener("click", startFromSelection);
  addButton.addEventListener("blur", () => {
    if (document.getSelection().isCollapsed) hideAddButton();
  });
  for (const section of sections()) {
    section.dataset.notesSection = "";
    const heading = section.querySelector("h2")?.textContent.trim() ?? "";
    const button = h(
      "button",
      { type: "button", class: "add-section-note", "data-notes-ui": true },
      t("add_note_section"),
      h("span", { class: "visually-hidden" }, `: ${heading}`),
    );
    button.addEventListener("click", () => startForSection(section, button));
    section.append(h("p", { class: "add-section-note-row", "data-notes-ui": true }, button));
  }
  // While a mouse or finger is still selecting, the button waits: it would move under it.
  let timer = 0;
  let selecting = false;
  const later = () => {
    window.clearTimeout(timer);
    if (!selecting) timer = window.setTimeout(onSelectionChange, 120);
  };
  document.addEventListener("selectionchange", later);
  // The Tab after selecting a passage reaches "Add a note", wherever the browser would
  // have started from (the selection is not a focus: its start varies by browser).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.shiftKey || addButton.hidden || !pending) return;
    const focus = document.activeElement;
    if (focus === document.body || focus === null || focus.contains(pending.section)) {
      event.preventDefault();
      addButton.focus();
    }
  });
  document.addEventListener("pointerdown", (event) => {
    selecting = !event.target.closest("[data-notes-ui]");
  });
  document.addEventListener("pointerup", () => {
    selecting = false;
    later();
  });
  article.addEventListener("click", (event) => {
    const action = event.target.closest("[data-note-action]");
    if (action?.dataset.noteAction === "edit") startEditing(action.dataset.noteId, action);
    if (action?.dataset.noteAction === "delete") confirmDelete(action.dataset.noteId, action);
    const mark = event.target.closest("mark.note-mark");
    if (mark && document.getSelection().isCollapsed) focusNote(mark.dataset.noteId);
    const link = event.target.closest('a[href^="#note-"], a[href^="#passage-"]');
    if (link) reveal(link.getAttribute("href").slice(1));
  });
  let shown = JSON.stringify(store.notesFor(nct));
  const renderIfChanged = () => {
    // Saving the trial changes the store too; an open editor stays open then.
    const now = JSON.stringify(store.notesFor(nct));
    if (now === shown) return;
    shown = now;
    render();
  };
  document.addEventListener(store.CHANGED, renderIfChanged);
  window.addEventListener("pageshow", renderIfChanged); // back from another page
  window.addEventListener("beforeprint", openForPrint);
  window.addEventListener("afterprint", closeAfterPrint);
  render();
  // Arriving from My trials at #note-…: show that note.
  if (/^#(note|passage)-/.test(window.location.hash)) reveal(window.location.hash.slice(1))?.scrollIntoView();
}

if (panel && article && store.available()) start();
