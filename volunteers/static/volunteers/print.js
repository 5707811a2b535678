// The hours summary's print button (the Content-Security-Policy allows no inline handlers).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
