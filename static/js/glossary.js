// Glossary terms in a trial's text: each is a link to its definition on the glossary
// page (that is all it does without this script). Here it becomes a button that shows
// the definition in place: click, tap, Enter or Space open it, Escape or a click
// elsewhere closes it. The definition is announced (role="status") when it opens.
(function () {
  "use strict";
  var open = null;
  var script = document.currentScript;
  var moreLabel = (script && script.dataset.more) || "Glossary";

  function close(returnFocus) {
    if (!open) return;
    open.trigger.setAttribute("aria-expanded", "false");
    open.bubble.hidden = true;
    open.bubble.textContent = "";
    if (returnFocus) open.trigger.focus();
    open = null;
  }

  function show(trigger, bubble) {
    close(false);
    var name = document.createElement("strong");
    name.textContent = trigger.dataset.term + ": ";
    var more = document.createElement("a");
    more.href = trigger.getAttribute("href");
    more.textContent = moreLabel;
    bubble.append(name, trigger.dataset.definition + " ", more);
    bubble.hidden = false;
    bubble.style.left = "0px";
    var overflow = bubble.getBoundingClientRect().right - (document.documentElement.clientWidth - 8);
    if (overflow > 0) bubble.style.left = -overflow + "px";
    trigger.setAttribute("aria-expanded", "true");
    open = { trigger: trigger, bubble: bubble };
  }

  function enhance(trigger, index) {
    var wrap = document.createElement("span");
    wrap.className = "term-wrap";
    trigger.replaceWith(wrap);
    var bubble = document.createElement("span");
    bubble.className = "term-bubble";
    bubble.id = "term-bubble-" + index;
    bubble.setAttribute("role", "status");
    bubble.hidden = true;
    wrap.append(trigger, bubble);
    trigger.setAttribute("role", "button");
    trigger.setAttribute("aria-expanded", "false");
    trigger.setAttribute("aria-controls", bubble.id);
    trigger.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      if (open && open.trigger === trigger) close(false);
      else show(trigger, bubble);
    });
    trigger.addEventListener("keydown", function (event) {
      if (event.key === " ") {
        event.preventDefault();
        trigger.click();
      }
    });
  }

  document.querySelectorAll("a.term[data-definition]").forEach(enhance);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) close(true);
  });
  document.addEventListener("click", function (event) {
    if (open && !open.trigger.parentNode.contains(event.target)) close(false);
  });
})();
