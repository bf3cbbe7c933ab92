// Switch language as soon as one is chosen (the button stays for keyboards and no-JS).
document.querySelectorAll("form.js-language select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});

// After a refused form, bring the first field with an error into view (on a phone it may be
// thousands of pixels below the message at the top).
window.addEventListener("DOMContentLoaded", () => {
  const invalid = document.querySelector(".is-invalid");
  if (invalid) {
    invalid.scrollIntoView({ block: "center" });
    invalid.focus({ preventScroll: true });
  }
});

// The counter's search box: a scanner types after whatever is there, so select the previous
// query — the next scan replaces it.
document.getElementById("counter-q")?.select();

// Print forms open the PDF in a new tab; reload this page so it shows that a print exists
// (a second print then asks for the reason).
document.querySelectorAll("form[data-reload-after-submit]").forEach((form) => {
  form.addEventListener("submit", () => setTimeout(() => window.location.reload(), 1500));
});
