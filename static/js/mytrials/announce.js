// One polite live region for the whole page: what a click changed, said to screen readers.
const region = document.createElement("p");
region.className = "visually-hidden";
region.setAttribute("role", "status");
region.dataset.notesUi = "";
document.body.append(region);

export function announce(text) {
  // Emptied first, so that the same sentence twice is read twice.
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}
