// Switch language as soon as one is chosen (the button stays for keyboards and no-JS).
document.querySelectorAll("form.js-language select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
