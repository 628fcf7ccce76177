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
  for (const box of form.querySelectorAll(".pick")) picker(box);
});

// The search beside a reference field (`page`, `pages`): results as the user types (debounced),
// a list of buttons that put the page's `@/<site>/<path>.md` in the field (a `pages` field gets
// one more line). Arrow keys move between the input and the results; Escape goes back. Without
// this, the "Tìm trang" button and the result buttons post the form (the server does the same).
function picker(box) {
  const input = document.getElementById("q-" + box.dataset.field);
  const target = document.getElementById(box.dataset.field);
  const results = document.getElementById("pick-" + box.dataset.field);
  const status = document.getElementById("pst-" + box.dataset.field);
  if (!input || !target || !results || !status) return;
  const many = box.dataset.many === "1";
  let timer = 0;
  let seq = 0;

  function put(ref) {
    if (many) {
      const lines = target.value.split("\n").map((l) => l.trim()).filter(Boolean);
      if (!lines.includes(ref)) lines.push(ref);
      target.value = lines.join("\n");
    } else {
      target.value = ref;
    }
    target.dispatchEvent(new Event("input", { bubbles: true }));
    status.textContent = box.dataset.chosen + " " + ref;
    target.focus();
  }

  function buttons() {
    return [...results.querySelectorAll(".pick-hit")];
  }

  async function search() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      results.replaceChildren();
      status.textContent = "";
      return;
    }
    status.textContent = box.dataset.searching;
    let hits;
    try {
      const res = await fetch(box.dataset.url + "?q=" + encodeURIComponent(q), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!res.ok) throw new Error(res.status + " " + res.statusText);
      hits = (await res.json()).hits || [];
    } catch (err) {
      if (mine === seq) status.textContent = String(err);
      return;
    }
    if (mine !== seq) return;
    const list = document.createElement("ul");
    list.className = "pick-hits";
    for (const h of hits) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "pick-hit";
      b.dataset.ref = h.reference;
      const title = document.createElement("span");
      title.className = "pick-title";
      title.textContent = h.title;
      const meta = document.createElement("span");
      meta.className = "pick-meta";
      meta.textContent = [h.site, h.kind, h.date, h.reference].filter(Boolean).join(" · ");
      b.append(title, " ", meta);
      li.append(b);
      list.append(li);
    }
    results.replaceChildren(list);
    status.textContent = hits.length ? hits.length + " " + box.dataset.found : box.dataset.none;
  }

  // The search box is not part of the page: typing in it does not ask for a preview.
  input.addEventListener("input", (e) => {
    e.stopPropagation();
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      clearTimeout(timer);
      search();
    } else if (e.key === "ArrowDown" && buttons().length) {
      e.preventDefault();
      buttons()[0].focus();
    }
  });
  results.addEventListener("click", (e) => {
    const b = e.target.closest(".pick-hit");
    if (!b) return;
    e.preventDefault();
    put(b.dataset.ref);
  });
  results.addEventListener("keydown", (e) => {
    const all = buttons();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[e.key];
    if (e.key === "Escape" || to === -1) {
      e.preventDefault();
      input.focus();
    } else if (to !== undefined && all[to]) {
      e.preventDefault();
      all[to].focus();
    }
  });
}
