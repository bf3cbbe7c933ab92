// The print page's Print button opens the browser's print dialog (the page is the form).
document.getElementById("print-now")?.addEventListener("click", () => window.print());
