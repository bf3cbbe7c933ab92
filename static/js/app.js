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

// The certificate print form opens the PDF in a new tab. Once it has been sent, this tab turns
// it into the reprint form at once (a second print needs a reason), then reloads to show the
// print in the log.
document.querySelectorAll("form[data-print-form]").forEach((form) => {
  form.addEventListener("submit", () => {
    setTimeout(() => {
      const reprint = form.querySelector(".registry-reprint");
      reprint.hidden = false;
      const reason = reprint.querySelector("input");
      reason.required = true;
      reason.value = "";
      form.querySelector("button").textContent = form.dataset.reprintLabel;
    }, 0);
    setTimeout(() => window.location.reload(), 1500);
  });
});

// A field focused above the sticky save bar is shown whole. The stylesheet's scroll-padding
// does it for most fields, but for a textarea the browser reveals only the caret's line, and
// the rest of the box may stay under the bar.
document.addEventListener("focusin", (event) => {
  const field = event.target;
  const bar = document.querySelector(".registry-actions");
  const form = bar && bar.closest("form");
  if (!form || !form.contains(field) || bar.contains(field)) return;
  if (field.getBoundingClientRect().bottom > bar.getBoundingClientRect().top) {
    field.scrollIntoView({ block: "nearest" }); // the scroll-padding stays clear
  }
});
