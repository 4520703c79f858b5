// Small enhancements on top of htmx; the site works without this file.
document.addEventListener("htmx:afterSwap", function (event) {
  // After new results arrive from a pager link, bring the top of the list into view.
  if (event.detail.target.id === "search-results" && event.detail.requestConfig.elt.closest(".pager")) {
    document.getElementById("results-heading").scrollIntoView({ block: "start" });
  }
});
