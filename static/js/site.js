// Small enhancements on top of htmx; the site works without this file.
document.addEventListener("htmx:afterSwap", function (event) {
  // After new results arrive from a pager link, bring the top of the list into view.
  if (event.detail.target.id === "search-results" && event.detail.requestConfig.elt.closest(".pager")) {
    document.getElementById("results-heading").scrollIntoView({ block: "start" });
  }
});

// "Use my location": the browser asks the patient only after this click. The point,
// rounded to about 1 km, goes only to our own search (lat and lon); the "Near" box is
// emptied, so the page names it "your location". Typing a place drops the point.
(function () {
  var button = document.getElementById("use-my-location");
  if (!button || !navigator.geolocation) {
    return;
  }
  var form = button.form;
  var box = form.elements.near;
  var status = document.getElementById("locate-status");
  button.hidden = false;

  function setPoint(lat, lon) {
    var previous = box; // lat, then lon, right after the box: the address reads in that order
    ["lat", "lon"].forEach(function (name, i) {
      var input = form.querySelector("input[type=hidden][name=" + name + "]");
      if (lat === null) {
        if (input) input.remove();
        return;
      }
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        previous.after(input);
      }
      input.value = (i === 0 ? lat : lon).toFixed(2);
      previous = input;
    });
  }

  box.addEventListener("input", function () {
    setPoint(null, null);
  });
  button.addEventListener("click", function () {
    status.textContent = button.dataset.asking;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setPoint(position.coords.latitude, position.coords.longitude);
        box.value = "";
        status.textContent = "";
        form.requestSubmit();
      },
      function (error) {
        status.textContent = error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.failed;
      },
      { timeout: 15000, maximumAge: 600000 }
    );
  });
})();
