// Small enhancements; every page works without them.
(function () {
  // On narrow screens the main menu starts folded behind its "Menu" button.
  var menu = document.getElementById("menu");
  if (menu && window.matchMedia("(max-width: 47.99rem)").matches) {
    menu.removeAttribute("open");
  }
})();
