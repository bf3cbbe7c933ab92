// A form that writes is sent once: while its request is in flight, its submit buttons are
// disabled and a second submission of it is cancelled. A double click on 提交 otherwise sends two
// POSTs, and the page shows the second one's answer (a conflict with the first) instead of the
// first one's. The server answers a repeated submit with the submitted state as well; this
// spares the request.
//
// Every POST form of every page, except those that open their answer elsewhere (target="_blank":
// the page stays, with its own handling). GET forms (searches, filters) are left alone.
(() => {
  const IN_FLIGHT = "submitting"; // data-submitting on the form while its request is in flight
  const LOCKED = "lockedInFlight"; // data-locked-in-flight on the buttons disabled here

  const submitButtons = (form) =>
    Array.from(form.elements).filter((element) => element.type === "submit" && !element.disabled);

  // On the window, in the bubbling phase: after the form's own submit listeners, so a submission
  // one of them cancelled (a confirmation answered "no") locks nothing.
  window.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
    if (form.target && form.target !== "_self") return;
    if (form.dataset[IN_FLIGHT]) {
      event.preventDefault(); // the second click of a double click
      return;
    }
    if (event.defaultPrevented) return;
    form.dataset[IN_FLIGHT] = "1";
    // Disabled only after the browser has read the form: a button disabled during this event
    // would leave out its own name=value (the "action" the server reads).
    setTimeout(() => {
      submitButtons(form).forEach((button) => {
        button.disabled = true;
        button.dataset[LOCKED] = "1";
      });
    }, 0);
  });

  // Back to a page the browser kept in memory (the back button after a submission): its forms
  // are usable again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitting]").forEach((form) => {
      delete form.dataset[IN_FLIGHT];
    });
    document.querySelectorAll("[data-locked-in-flight]").forEach((button) => {
      button.disabled = false;
      delete button.dataset[LOCKED];
    });
  });
})();
