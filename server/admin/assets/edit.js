// The edit form's live preview and inline validation: while the user types (in any field, or
// in the Markdown editor, which dispatches `input` on #body), the form is posted (debounced)
// to /admin/sites/{site}/preview/{path}, which answers the page in its site's theme and the
// problems `cms check` finds, each shown beside its field. Without this file the
// "Xem trước" button does the same with a page load.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("edit");
  const frame = document.getElementById("preview");
  const status = document.getElementById("preview-status");
  if (!form || !frame || !form.dataset.preview) return;
  const csrf = form.querySelector("input[name=csrf]").value;
  let timer = 0;
  let seq = 0;
  // One request at a time: a change made while one is under way asks for one more after it,
  // so a short debounce keeps the preview close to the keys without piling up requests.
  let busy = false;
  let again = false;
  const DEBOUNCE_MS = 80;

  // Clears the problems shown, then shows `errors` ({id, message, hint, line}) beside their fields.
  function show(errors) {
    for (const box of form.querySelectorAll(".field-error")) box.replaceChildren();
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    for (const f of form.querySelectorAll(".field.invalid")) f.classList.remove("invalid");
    for (const e of errors) {
      const box = document.getElementById("err-" + e.id) || document.getElementById("err-body");
      const input = document.getElementById(e.id) || document.getElementById("body");
      const p = document.createElement("p");
      p.textContent = (e.id === "body" && e.line ? "Dòng " + e.line + ": " : "") + e.message + (e.hint ? " — " + e.hint : "");
      box.append(p);
      input.setAttribute("aria-invalid", "true");
      input.closest(".field")?.classList.add("invalid");
    }
  }

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      await render();
    } finally {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  async function render() {
    const mine = ++seq;
    const body = new URLSearchParams(new FormData(form));
    body.delete("action");
    try {
      const res = await fetch(form.dataset.preview, {
        method: "POST",
        headers: { "X-CSRF-Token": csrf },
        body,
        credentials: "same-origin",
      });
      if (mine !== seq) return;
      if (!res.ok) {
        status.textContent = res.status + " " + res.statusText;
        return;
      }
      const data = await res.json();
      if (mine !== seq) return;
      if (data.html) frame.srcdoc = data.html;
      show(data.errors || []);
      status.textContent = "";
    } catch (err) {
      status.textContent = String(err);
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  });
  form.addEventListener("change", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  });
  refresh();
});
