// The toolbar's dialogs (modal `<dialog>`s, so Escape closes them and the focus goes back to
// the editor): a link, a link to a page of the network found by the public search, and an
// image of the page's bundle with its description, which is required.
import { insert, linkText } from "./format.js";

let serial = 0;

/** A modal dialog holding a form with a heading, the given fields, and Insert / Cancel.
 * `onSubmit` returns true when it is done (the dialog then closes). */
function modal(view, title, fill, onSubmit) {
  const id = `md-dialog-${++serial}`;
  const dlg = document.createElement("dialog");
  dlg.className = "md-dialog";
  dlg.setAttribute("aria-labelledby", `${id}-title`);
  const form = document.createElement("form");
  form.noValidate = true; // our own messages, tied to the fields
  const h = document.createElement("h2");
  h.id = `${id}-title`;
  h.textContent = title;
  const body = document.createElement("div");
  const actions = document.createElement("div");
  actions.className = "md-dialog-actions";
  const t = view.mdStrings;
  const ok = button(t.insert, "submit");
  const cancel = button(t.cancel, "button", "secondary");
  cancel.addEventListener("click", () => dlg.close());
  actions.append(ok, cancel);
  form.append(h, body, actions);
  dlg.append(form);
  document.body.append(dlg);
  fill(body, id, form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (await onSubmit(e.submitter)) dlg.close();
  });
  dlg.addEventListener("close", () => {
    dlg.remove();
    view.focus();
  });
  dlg.showModal();
  return { dlg, ok };
}

function button(text, type, cls) {
  const b = document.createElement("button");
  b.type = type;
  b.textContent = text;
  if (cls) b.className = cls;
  return b;
}

/** A labelled field (input or select) with an optional help line and a hidden error line. */
function field(parent, id, label, el, help) {
  const div = document.createElement("div");
  div.className = "field";
  const l = document.createElement("label");
  l.htmlFor = el.id = id;
  l.textContent = label;
  div.append(l, el);
  const described = [];
  if (help) {
    const p = document.createElement("p");
    p.className = "help";
    p.id = `${id}-help`;
    p.textContent = help;
    div.append(p);
    described.push(p.id);
  }
  const err = document.createElement("p");
  err.className = "field-error";
  err.id = `${id}-error`;
  err.hidden = true;
  div.append(err);
  if (described.length) el.setAttribute("aria-describedby", described.join(" "));
  parent.append(div);
  el.mdError = (msg) => {
    err.textContent = msg || "";
    err.hidden = !msg;
    const ids = described.concat(msg ? [err.id] : []);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
    if (msg) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
  };
  return el;
}

function input(type) {
  const i = document.createElement("input");
  i.type = type;
  return i;
}

const SAFE_URL = /^(https?:|mailto:|tel:)/i;

/** `[text](url)`: the selection is the text. */
export function linkDialog(view, ctx) {
  const { t } = ctx;
  view.mdStrings = t;
  const sel = view.state.sliceDoc(view.state.selection.main.from, view.state.selection.main.to);
  let text, url;
  modal(
    view,
    t.linkTitle,
    (body, id) => {
      text = field(body, `${id}-text`, t.linkText, input("text"));
      text.value = sel;
      url = field(body, `${id}-url`, t.linkUrl, input("text"));
      url.inputMode = "url";
      url.autocomplete = "url";
      (sel ? url : text).autofocus = true;
    },
    () => {
      const u = url.value.trim();
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u);
      const bad = !u || (scheme && !SAFE_URL.test(u));
      text.mdError(text.value.trim() ? "" : t.required);
      url.mdError(bad ? (u ? t.linkUrlBad : t.required) : "");
      if (bad || !text.value.trim()) {
        (text.value.trim() ? url : text).focus();
        return false;
      }
      insert(view, linkText(text.value.trim(), u));
      return true;
    },
  );
}

/** The file of a search hit (`tin-tuc/x.md`), found by asking the read API for the files its
 * URL may come from; null when none answers with that URL. */
async function sourceOf(hit) {
  let p = (hit.url ? new URL(hit.url).pathname : "/").replace(/^\/|\/$/g, "");
  const bases = [[p, ""]];
  if (hit.lang && (p === hit.lang || p.startsWith(`${hit.lang}/`))) {
    bases.unshift([p.slice(hit.lang.length).replace(/^\//, ""), `.${hit.lang}`]);
  }
  const names = [];
  for (const [b, suf] of bases) {
    if (b) names.push(`${b}${suf}.md`, `${b}/index${suf}.md`, `${b}/_index${suf}.md`);
    else names.push(`_index${suf}.md`);
  }
  for (const name of names) {
    try {
      const r = await fetch(`/api/v1/sites/${encodeURIComponent(hit.site)}/content/${name.split("/").map(encodeURIComponent).join("/")}`);
      if (!r.ok) continue;
      const item = await r.json();
      const url = item.url ?? item.summary?.url;
      if (!url || new URL(url, location.href).pathname.replace(/\/$/, "") === `/${p}`.replace(/\/$/, "")) return name;
    } catch {
      // try the next name
    }
  }
  return null;
}

/** `2024-05-01` → `01/05/2024`, as Vietnamese readers write dates. */
function vnDate(d) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(d || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : d;
}

/** `[title](@/site/path.md)`: a page of any site, found by the public search. */
export function pageLinkDialog(view, ctx) {
  const { t } = ctx;
  view.mdStrings = t;
  const sel = view.state.sliceDoc(view.state.selection.main.from, view.state.selection.main.to);
  let q, status, list, timer, hits = [];
  const search = async () => {
    const words = q.value.trim();
    list.replaceChildren();
    if (!words) {
      q.mdError(t.required);
      return;
    }
    q.mdError("");
    status.textContent = t.searching;
    try {
      const r = await fetch(`/api/search?q=${encodeURIComponent(words)}`, { headers: { Accept: "application/json" } });
      if (!r.ok) throw new Error(String(r.status));
      hits = (await r.json()).hits || [];
    } catch {
      status.textContent = t.searchFailed;
      return;
    }
    if (q.value.trim() !== words) return; // a newer search is on its way
    status.textContent = hits.length ? t.found(hits.length) : t.none;
    for (const [i, h] of hits.entries()) {
      const li = document.createElement("li");
      const b = button("", "submit", "md-hit");
      b.value = String(i);
      const title = document.createElement("span");
      title.className = "md-hit-title";
      title.textContent = h.title;
      const meta = document.createElement("span");
      meta.className = "md-hit-meta";
      meta.textContent = [h.site_name || h.site, h.kind_label, vnDate(h.date)].filter(Boolean).join(" · ");
      b.append(title, meta);
      li.append(b);
      list.append(li);
    }
  };
  const { ok } = modal(
    view,
    t.pageTitle,
    (body, id) => {
      q = field(body, `${id}-q`, t.search, input("search"));
      q.autofocus = true;
      q.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(search, 300);
      });
      status = document.createElement("p");
      status.setAttribute("role", "status");
      status.className = "md-status";
      list = document.createElement("ul");
      list.className = "md-hits";
      body.append(status, list);
    },
    async (submitter) => {
      const i = submitter && submitter.classList.contains("md-hit") ? Number(submitter.value) : -1;
      if (i < 0 || !hits[i]) {
        clearTimeout(timer);
        await search(); // Enter in the search field, or Insert: search now
        return false;
      }
      const h = hits[i];
      const file = await sourceOf(h);
      insert(view, linkText(sel || h.title, file ? `@/${h.site}/${file}` : h.url));
      return true;
    },
  );
  ok.textContent = t.searchButton;
}

const IMAGE = /\.(jpe?g|png|webp|gif|avif)$/i;

/** `![description](file)`: an image of the page's bundle; the description is required. */
export async function imageDialog(view, ctx) {
  const { t, site, path } = ctx;
  view.mdStrings = t;
  let files = [];
  let failed = false;
  if (site && path) {
    try {
      const r = await fetch(`/api/v1/sites/${encodeURIComponent(site)}/files/${path.split("/").map(encodeURIComponent).join("/")}`, {
        headers: { Accept: "application/json" },
      });
      if (r.ok) files = ((await r.json()).files || []).filter((f) => IMAGE.test(f));
      else failed = r.status !== 404;
    } catch {
      failed = true;
    }
  }
  let file, alt;
  const { ok } = modal(
    view,
    t.imageTitle,
    (body, id) => {
      if (!files.length) {
        const p = document.createElement("p");
        p.className = failed ? "field-error" : "help";
        p.textContent = failed ? t.imageFailed : t.imageNone;
        body.append(p);
        return;
      }
      const select = document.createElement("select");
      for (const f of files) select.append(new Option(f, f));
      file = field(body, `${id}-file`, t.imageFile, select);
      alt = field(body, `${id}-alt`, t.imageAlt, input("text"), t.imageAltHelp);
      alt.required = true;
      alt.setAttribute("aria-required", "true");
      alt.autofocus = true;
    },
    () => {
      if (!files.length) return true;
      const a = alt.value.trim();
      alt.mdError(a ? "" : t.imageAltMissing);
      if (!a) {
        alt.focus();
        return false;
      }
      insert(view, `![${a.replace(/([\\[\]])/g, "\\$1")}](${/[\s()<>]/.test(file.value) ? `<${file.value}>` : file.value})`);
      return true;
    },
  );
  if (!files.length) ok.hidden = true;
}
