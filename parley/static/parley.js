// Parley works without this file. With it, a form opened inline by htmx takes the keyboard focus
// (its error summary when the form came back with errors), so that screen-reader and keyboard
// users land on what they asked for.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target) return;
  var focus = target.querySelector("#error-summary") || target.querySelector("[data-focus], h2, h3");
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
});

// The print view's Print button (hidden without JavaScript: the browser's own Print does the same).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-now");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
