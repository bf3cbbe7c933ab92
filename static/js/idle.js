// Staff pages: the idle sign-out (practitioners/idle.py). A minute before the session ends for
// want of activity, a warning with "stay signed in"; typing in the page counts as activity and
// keeps the session alive quietly; before signing out, the server is asked again (another tab
// may have been in use). When the time is up, what was typed in the page's forms is kept in
// this tab's sessionStorage, for this account only, the login page opens, and after the login
// the same page puts it back. Passwords, files and hidden fields are never kept.
(() => {
  const body = document.body;
  const timeout = Number(body.dataset.idleTimeout);
  if (!timeout) return;
  const account = body.dataset.idleAccount;
  const statusUrl = body.dataset.idleUrl;
  const warningSeconds = Number(body.dataset.idleWarning);
  const warning = document.getElementById("idle-warning");
  const KEPT = "registry-typed:" + location.pathname;
  const KEPT_FOR = 30 * 60 * 1000; // what was typed is put back within half an hour only

  let deadline = Date.now() + Number(body.dataset.idleLeft) * 1000;
  let lastInput = 0;
  let timer = null;
  let pending = false; // one question to the server at a time

  const csrf = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  const ask = (method) => {
    if (pending) return Promise.resolve(null);
    pending = true;
    return fetch(statusUrl, {
      method,
      credentials: "same-origin",
      headers: method === "POST" ? { "X-CSRFToken": csrf() } : {},
    })
      .then((response) => (response.ok ? response.json() : { left: 0 }))
      .catch(() => null) // the network away: decide at the next tick
      .finally(() => {
        pending = false;
      });
  };

  const kept = (field) =>
    field.name &&
    !field.disabled &&
    !["password", "file", "hidden", "submit", "button", "reset"].includes(field.type) &&
    field.name !== "csrfmiddlewaretoken";

  const keepTyping = () => {
    const forms = Array.from(document.querySelectorAll("main form[method=post]")).map((form) =>
      Array.from(form.elements)
        .filter(kept)
        .map((field) => [
          field.name,
          field.type === "checkbox" || field.type === "radio" ? field.checked : field.value,
          field.type === "radio" ? field.value : null,
        ]),
    );
    if (forms.some((fields) => fields.length)) {
      sessionStorage.setItem(KEPT, JSON.stringify({ account, at: Date.now(), forms }));
    }
  };

  const putTypingBack = () => {
    const saved = sessionStorage.getItem(KEPT);
    if (!saved) return;
    sessionStorage.removeItem(KEPT);
    const { account: owner, at, forms } = JSON.parse(saved);
    if (owner !== account || Date.now() - at > KEPT_FOR) return; // another person's, or old
    const pageForms = document.querySelectorAll("main form[method=post]");
    forms.forEach((fields, index) => {
      const form = pageForms[index];
      if (!form) return;
      fields.forEach(([name, value, choice]) => {
        const field = Array.from(form.elements).find(
          (element) => element.name === name && kept(element) && (choice === null || element.value === choice),
        );
        if (!field) return;
        if (field.type === "checkbox" || field.type === "radio") field.checked = value;
        else field.value = value;
      });
    });
    document.getElementById("typing-restored").hidden = false;
  };

  const showWarning = (shown) => {
    if (warning.hidden === !shown) return;
    warning.hidden = !shown;
    if (shown) document.getElementById("idle-stay").focus({ preventScroll: true });
  };

  const stay = () =>
    ask("POST").then((answer) => {
      if (answer && answer.left > 0) {
        deadline = Date.now() + answer.left * 1000;
        showWarning(false);
      }
    });

  const tick = () => {
    const now = Date.now();
    if (now >= deadline) {
      ask("GET").then((answer) => {
        if (answer && answer.left > 0) {
          deadline = Date.now() + answer.left * 1000; // used in another tab meanwhile
          showWarning(false);
        } else if (answer) {
          clearInterval(timer);
          keepTyping();
          const next = location.pathname + location.search;
          location.assign(body.dataset.idleLogin + "?next=" + encodeURIComponent(next));
        }
      });
    } else if (now >= deadline - warningSeconds * 1000 && warning.hidden) {
      if (lastInput > deadline - timeout * 1000) {
        stay(); // typing counts: no warning
        return;
      }
      // Another tab may have been in use: warn only if the server says the end is near.
      ask("GET").then((answer) => {
        if (!answer) return;
        deadline = Date.now() + answer.left * 1000;
        if (answer.left <= warningSeconds) showWarning(true);
      });
    }
  };

  ["keydown", "input", "pointerdown"].forEach((type) =>
    window.addEventListener(type, () => (lastInput = Date.now()), { capture: true, passive: true }),
  );
  document.getElementById("idle-stay").addEventListener("click", stay);
  putTypingBack();
  timer = setInterval(tick, 1000);
})();
