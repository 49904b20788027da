// Small enhancements; every page works without them.
(function () {
  // On narrow screens the main menu starts folded behind its "Menu" button.
  var menu = document.getElementById("menu");
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  if (menu && narrow.matches) {
    menu.removeAttribute("open");
  }
  // Wider screens hide the "Menu" button, so a menu folded on a phone opens again when the
  // window widens (a tablet turned, a window resized); a group of the menu closes on Escape.
  if (menu) {
    narrow.addEventListener("change", function (event) {
      if (event.matches) menu.removeAttribute("open"); else menu.setAttribute("open", "");
    });
    menu.addEventListener("keydown", function (event) {
      var group = event.key === "Escape" && event.target.closest(".menu-group > details[open]");
      if (!group) return;
      group.removeAttribute("open");
      group.querySelector("summary").focus();
    });
  }

  // A form's error summary takes focus when it appears (on load and after an htmx swap), so a
  // screen reader reads it and the keyboard starts there; the page title says "Błąd: " too.
  function showErrors(root) {
    var summary = root.id === "form-errors" ? root : root.querySelector("#form-errors");
    if (!summary) return;
    if (document.title.indexOf("Błąd: ") !== 0) document.title = "Błąd: " + document.title;
    summary.focus();
  }
  showErrors(document.documentElement);
  // Only a swap that brought a summary moves focus (a search-as-you-type swap must not).
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail && event.detail.elt;
    if (swapped && swapped.querySelector) showErrors(swapped);
  });

  // A link in the summary moves focus to its field (the first control of a group of radios or
  // checkboxes) and shows the field's label or legend above it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    var control = target.matches("input, select, textarea, button")
      ? target : target.querySelector("input, select, textarea");
    if (!control) return;
    event.preventDefault();
    var group = /radio|checkbox/.test(control.type) ? control.closest("fieldset") : null;
    var label = document.querySelector("label[for='" + control.id + "']");
    var shown = (group && group.querySelector("legend")) || label || control;
    control.focus({ preventScroll: true });
    shown.scrollIntoView({ block: "start" });
  });

  // "Kopiuj adres" beside a feed's address (calendar page): shown only where the clipboard
  // works; otherwise the address is selected for Ctrl+C.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.dataset.copy);
    var status = document.querySelector('[data-status-for="' + button.dataset.copy + '"]');
    if (!navigator.clipboard || !input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        status.textContent = "Skopiowano adres.";
      }, function () {
        input.select();
        status.textContent = "Zaznaczono adres – skopiuj go (Ctrl+C).";
      });
    });
  });
})();
