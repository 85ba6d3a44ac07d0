// The print page's button: the browser's own print dialog (A4 set by print.css).
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
