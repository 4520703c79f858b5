// The pre-screening checklist on a trial page, in the browser: the verdict follows the
// answers as they are given, and the answers and the profile stay in this browser
// (localStorage), never sent anywhere unless the patient ticks "Send my answers" on the
// contact form. Without this file the checklist is a plain form that posts to the page.
//
// The rules are the server's (trials/prescreen.py): the page gives, for each item, its
// pre-answer for every profile it depends on (a table, or number ranges), and this file
// only looks them up. The verdict below is the one trials.prescreen.verdict gives.
(function () {
  "use strict";

  var dataElement = document.getElementById("prescreen-data");
  var form = document.getElementById("prescreen-form");
  if (!dataElement || !form || !window.localStorage) return;

  var data = JSON.parse(dataElement.getAttribute("data-checklist"));
  var texts = data.texts;
  var PROFILE_KEY = "trialfinder.profile";
  var ANSWERS_PREFIX = "trialfinder.checklist.";
  var ANSWERS_KEY = ANSWERS_PREFIX + data.nct_id;
  var PROFILE_FIELDS = [
    "age", "sex", "healthy", "pregnancy", "other_study", "other_cancer",
    "hiv", "hepatitis_b", "hepatitis_c", "bmi"
  ];
  var own = {}; // the patient's own answers, by item key; the others are pre-answers
  var lastVerdict = null;

  function load(key) {
    try {
      return JSON.parse(localStorage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function save(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // Private browsing or a full storage: the checklist still works on this page.
    }
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  // The form's controls

  function control(name) {
    return form.elements.namedItem(name);
  }

  function readField(name) {
    var element = control(name);
    if (!element) return "";
    if (element.type === "checkbox") return element.checked ? "true" : "";
    return (element.value || "").trim();
  }

  function writeField(name, value) {
    var element = control(name);
    if (!element) return;
    if (element instanceof RadioNodeList) {
      Array.prototype.forEach.call(element, function (radio) {
        radio.checked = radio.value === value;
      });
    } else if (element.type === "checkbox") {
      element.checked = value === "true";
    } else {
      element.value = value;
    }
  }

  function number(text, low, high) {
    var value = parseFloat(String(text).replace(",", "."));
    return isFinite(value) && value >= low && value <= high ? value : null;
  }

  function profile() {
    var values = {};
    PROFILE_FIELDS.forEach(function (name) {
      values[name] = readField(name);
    });
    var age = number(values.age, 0, 120);
    values.age = age === null ? null : Math.floor(age);
    values.bmi = number(values.bmi, 10, 80);
    return values;
  }

  // Pre-answers: the server's table for the profile, or its number ranges

  function inRange(value, range) {
    var low = range[0], high = range[1], lowOpen = range[2], highOpen = range[3];
    var above = low === null || (lowOpen ? value > low : value >= low);
    var below = high === null || (highOpen ? value < high : value <= high);
    return above && below;
  }

  function suggestion(item, person) {
    var rule = item.rule;
    if (!rule) return "";
    if (rule.ranges) {
      var value = person[rule.field];
      if (value === null || value === "") return "";
      var holds = rule.ranges.map(function (range) { return inRange(value, range); });
      var inside = rule.either ? holds.some(Boolean) : holds.every(Boolean);
      if (rule.joined === "or") return inside ? "yes" : "";
      if (rule.joined === "and") return inside ? "" : "no";
      return inside ? "yes" : "no";
    }
    var key = rule.fields.map(function (name) { return person[name] || ""; }).join("|");
    return rule.table[key] || "";
  }

  function entries(person) {
    return data.items.map(function (item) {
      var suggested = suggestion(item, person);
      var mine = own[item.key] || "";
      return {
        key: item.key,
        kind: item.kind,
        group: item.group,
        answer: mine || suggested,
        source: mine ? "" : (suggested ? item.rule.source : "")
      };
    });
  }

  // The verdict, as trials.prescreen.verdict

  function against(entry) {
    return (entry.kind === "inclusion" && entry.answer === "no") ||
      (entry.kind === "exclusion" && entry.answer === "yes");
  }

  function judge(list) {
    var result = {
      against: list.filter(against),
      unsure: list.filter(function (e) { return e.answer === "unsure"; }),
      answered: list.filter(function (e) { return e.answer; }).length,
      total: list.length
    };
    if (result.against.length) result.code = "not_fit";
    else if (result.unsure.length) result.code = "ask";
    else if (result.answered) result.code = "fit";
    else result.code = "";
    return result;
  }

  function verdict(list) {
    var groups = [];
    list.forEach(function (e) {
      if (e.group && groups.indexOf(e.group) < 0) groups.push(e.group);
    });
    if (!groups.length) return judge(list);
    var order = { fit: 0, ask: 1, "": 2, not_fit: 3 };
    var perGroup = groups.map(function (group) {
      return judge(list.filter(function (e) { return !e.group || e.group === group; }));
    });
    var best = perGroup.reduce(function (a, b) { return order[b.code] < order[a.code] ? b : a; });
    var result = judge(list);
    result.code = best.code;
    result.unsure = best.unsure;
    if (best.code !== "not_fit") result.against = [];
    return result;
  }

  // Showing it

  function criterionText(key) {
    var legend = document.querySelector("#criterion-" + key + " legend");
    return legend ? legend.textContent : key;
  }

  function fillList(list, items, describe) {
    list.textContent = "";
    items.forEach(function (entry) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#criterion-" + entry.key;
      link.textContent = criterionText(entry.key);
      li.appendChild(link);
      if (describe) li.appendChild(document.createTextNode(" (" + describe(entry) + ")"));
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }

  function showItems(list) {
    list.forEach(function (entry) {
      writeField("answer_" + entry.key, entry.answer);
      writeField("auto_" + entry.key, entry.source ? entry.answer : "");
      var note = document.querySelector("#criterion-" + entry.key + " [data-prefilled]");
      if (note) {
        note.hidden = !entry.source;
        note.textContent = entry.source
          ? format(texts.answered_from, { source: texts.sources[entry.source] || "" })
          : "";
      }
    });
  }

  function showVerdict(result) {
    var box = document.getElementById("prescreen-result");
    if (!box) return;
    box.className = "verdict verdict-" + (result.code || "none");
    box.setAttribute("data-verdict", result.code);
    box.querySelector("[data-verdict-title]").textContent =
      texts.verdicts[result.code] || texts.no_verdict;
    box.querySelector("[data-verdict-text]").textContent = texts.verdict_texts[result.code];
    fillList(box.querySelector("[data-verdict-against]"), result.against, function (entry) {
      return texts.against[entry.kind];
    });
    fillList(box.querySelector("[data-verdict-unsure]"), result.code === "ask" ? result.unsure : []);
    box.querySelector("[data-verdict-counts]").textContent =
      format(texts.counts, { answered: result.answered, total: result.total });
    if (lastVerdict !== null && result.code !== lastVerdict && result.code) {
      box.querySelector("[data-verdict-announce]").textContent =
        format(texts.announce, { verdict: texts.verdicts[result.code] });
    }
    lastVerdict = result.code;
  }

  // The contact form: "Send my answers" and exactly what it sends

  function payload(list) {
    var answers = {}, sources = {};
    list.forEach(function (entry) {
      if (!entry.answer) return;
      answers[entry.key] = entry.answer;
      if (entry.source) sources[entry.key] = entry.source;
    });
    return { fingerprint: data.fingerprint, answers: answers, sources: sources };
  }

  function previewBlock(label, items, describe) {
    var block = document.createElement("div");
    var title = document.createElement("p");
    title.className = "label";
    title.textContent = label;
    var list = document.createElement("ul");
    items.forEach(function (entry) {
      var notes = [];
      if (describe) notes.push(describe(entry));
      if (entry.source) notes.push(format(texts.from_source, { source: texts.sources[entry.source] }));
      var li = document.createElement("li");
      li.textContent = criterionText(entry.key) + (notes.length ? " (" + notes.join(", ") + ")" : "");
      list.appendChild(li);
    });
    block.appendChild(title);
    block.appendChild(list);
    return block;
  }

  function showContact(list, result) {
    var field = document.getElementById("field-send_answers");
    var box = document.getElementById("id_send_answers");
    var hidden = document.getElementById("id_prescreen");
    if (!field || !box || !hidden) return;
    if (result.answered) field.hidden = false;
    // The answers go into the contact form only while the box is ticked.
    hidden.value = box.checked && result.answered ? JSON.stringify(payload(list)) : "";
    var preview = field.querySelector("[data-preview]");
    preview.textContent = "";
    if (!result.answered) return;
    var line = document.createElement("p");
    var label = document.createElement("span");
    label.className = "label";
    label.textContent = texts.result_label;
    line.appendChild(label);
    line.appendChild(document.createTextNode(" " + (texts.verdicts[result.code] || "")));
    preview.appendChild(line);
    var allAgainst = list.filter(against);
    var allUnsure = list.filter(function (e) { return e.answer === "unsure"; });
    if (allAgainst.length) {
      preview.appendChild(previewBlock(texts.preview_against, allAgainst, function (entry) {
        return texts.against[entry.kind];
      }));
    }
    if (allUnsure.length) preview.appendChild(previewBlock(texts.preview_unsure, allUnsure));
    var favourable = list.filter(function (e) {
      return (e.answer === "yes" || e.answer === "no") && !against(e);
    }).length;
    var counts = document.createElement("p");
    counts.textContent = format(texts.favourable, { count: favourable }) + " · " +
      format(texts.unanswered, { count: result.total - result.answered });
    preview.appendChild(counts);
  }

  // Keeping it in step

  // `remember`: keep the profile and answers in this browser (not after "Forget my answers").
  function update(remember) {
    var person = profile();
    var list = entries(person);
    showItems(list);
    var result = verdict(list);
    showVerdict(result);
    showContact(list, result);
    if (!remember) return;
    var kept = {};
    PROFILE_FIELDS.forEach(function (name) { kept[name] = readField(name); });
    save(PROFILE_KEY, kept);
    save(ANSWERS_KEY, { fingerprint: data.fingerprint, answers: own });
  }

  function start() {
    var stored = load(ANSWERS_KEY);
    if (stored && stored.fingerprint === data.fingerprint && stored.answers) own = stored.answers;
    var kept = load(PROFILE_KEY) || {};
    PROFILE_FIELDS.forEach(function (name) {
      // What the search's link carried wins over what this browser remembers.
      if (!readField(name) && kept[name]) writeField(name, kept[name]);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-privacy]"), function (note) {
      note.hidden = note.getAttribute("data-privacy") !== "browser";
    });
    lastVerdict = null;
    update(false);
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (name.indexOf("answer_") === 0) {
      var key = name.slice("answer_".length);
      var item = data.items.filter(function (i) { return i.key === key; })[0];
      var suggested = item ? suggestion(item, profile()) : "";
      if (event.target.value === suggested) delete own[key];
      else own[key] = event.target.value;
    }
    update(true);
  });
  form.addEventListener("input", function (event) {
    if (event.target.name === "age" || event.target.name === "bmi") update(true);
  });
  form.addEventListener("submit", function (event) {
    // The verdict is already on the page: nothing needs to leave the browser.
    event.preventDefault();
    update(true);
    var box = document.getElementById("prescreen-result");
    if (box) box.focus();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-forget]")) return;
    Object.keys(localStorage).forEach(function (key) {
      if (key === PROFILE_KEY || key.indexOf(ANSWERS_PREFIX) === 0) localStorage.removeItem(key);
    });
    own = {};
    // Back to what the page came with (the search's age and sex), the rest unanswered.
    PROFILE_FIELDS.forEach(function (name) {
      var element = control(name);
      if (!element) return;
      if (element instanceof RadioNodeList) {
        Array.prototype.forEach.call(element, function (radio) {
          radio.checked = radio.defaultChecked;
        });
      } else if (element.type === "checkbox") {
        element.checked = element.defaultChecked;
      } else {
        element.value = element.defaultValue;
      }
    });
    update(false);
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_send_answers") update(false);
  });
  // The contact form is replaced after each of its checks and on an error: fill it again.
  document.addEventListener("htmx:afterSettle", function () {
    update(false);
  });

  start();
})();
