// "Find the nearest to me": asks the browser for the position only when the button is pressed,
// then loads the same page with lat/lon rounded to about a kilometre. Without JavaScript the
// button stays hidden and the town/postcode search works as a plain form.
(function () {
  var buttons = document.querySelectorAll("[data-near-me]");
  if (!("geolocation" in navigator)) return;
  buttons.forEach(function (button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-near-me-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Ustalamy Twoją lokalizację…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var params = new URLSearchParams();
          form.querySelectorAll("input[type=hidden]").forEach(function (input) {
            params.set(input.name, input.value);
          });
          params.set("lat", pos.coords.latitude.toFixed(2));
          params.set("lon", pos.coords.longitude.toFixed(2));
          window.location.assign(form.getAttribute("action") + "?" + params.toString());
        },
        function () {
          button.disabled = false;
          status.textContent = "Nie udało się ustalić Twojej lokalizacji. Wpisz miejscowość lub kod pocztowy.";
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  });
})();
