// Print buttons of the printable reports (a static file: the CSP forbids inline scripts).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-relais-print]")) {
    window.print();
  }
});
