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
