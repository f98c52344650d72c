// Moves keyboard focus (and so the screen reader's reading point and the view) to the
// outcome of the form just submitted: the first element marked data-focus, which the
// page puts beside that form. Without this script the page still scrolls there (the
// forms post to an address ending in the form's #id) and the message is announced
// through its role="status" or role="alert". It runs once the page has loaded, after
// the browser's own scroll to that #id, which would otherwise take the focus back.
window.addEventListener("load", function () {
  var target = document.querySelector("[data-focus]");
  if (!target) return;
  var details = target.closest("details");
  if (details) details.open = true;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "center" });
});
