// The words the scripts show. Django translates them: the page carries them as JSON
// (finder/templatetags/my_trials.py), so that every sentence has one home.
const element = document.getElementById("my-trials-strings");
const strings = element ? JSON.parse(element.textContent) : {};

// t("saved_on", {date: "3 May"}) fills "%(date)s" in the sentence, as gettext does.
export function t(key, values = {}) {
  const text = strings[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

// The sentence for a count: strings carry "<key>_one" and "<key>_other".
export function tn(key, count, values = {}) {
  return t(count === 1 ? `${key}_one` : `${key}_other`, { count, ...values });
}

export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleDateString(document.documentElement.lang || undefined, {
    day: "numeric",
    month: "long",
    year: "numeric",
  });
}

export function formatTime(iso) {
  return new Date(iso).toLocaleTimeString(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit",
  });
}
