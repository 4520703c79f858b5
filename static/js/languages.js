// The language switcher sends the page's current address: htmx may have changed it
// (a search's filters) since the page was served.
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form.matches("[data-language-switcher]")) {
    form.elements.next.value = window.location.pathname + window.location.search;
  }
});
