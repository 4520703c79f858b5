// Small enhancements on top of htmx; the site works without this file.
document.addEventListener("htmx:afterSwap", function (event) {
  // After new results arrive from a pager link, bring the top of the list into view.
  if (event.detail.target.id === "search-results" && event.detail.requestConfig.elt.closest(".pager")) {
    document.getElementById("results-heading").scrollIntoView({ block: "start" });
  }
});

// Keep shareable URLs short: drop empty fields and the defaults (open statuses, best match).
var OPEN_STATUSES = ["ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING", "RECRUITING"];
document.addEventListener("htmx:configRequest", function (event) {
  var data = event.detail.formData;
  if (!data || event.detail.verb !== "get") {
    return;
  }
  Array.from(new Set(data.keys())).forEach(function (key) {
    var values = data.getAll(key).filter(function (value) { return value !== ""; });
    data.delete(key);
    if (key === "status" && values.slice().sort().join() === OPEN_STATUSES.join()) {
      return;
    }
    if (key === "sort" && values.join() === "relevance") {
      return;
    }
    values.forEach(function (value) { data.append(key, value); });
  });
});
