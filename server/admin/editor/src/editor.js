// The web editor's Markdown editor: CodeMirror 6 over the edit form's
// `<textarea data-editor="markdown" data-site data-path>`. The textarea stays in the form
// (hidden) and gets every change at once, with an `input` event, so the form posts `body` and
// the preview script sees each keystroke; without JavaScript the textarea is the editor.
//
// Accessibility: the editable area is named by the textarea's label and described by what
// describes the textarea (its help and its error, kept in step), Tab leaves it (no key binding
// takes Tab), and the toolbar is one Tab stop whose buttons the arrow keys walk. Input methods
// (Telex, VNI) go through CodeMirror's own composition handling: nothing here touches the
// document while the user composes.
//
// CSP: CodeMirror's styles go in through constructed style sheets (allowed by `style-src
// 'self'`); the toolbar and dialogs are styled by admin.css; no inline style or script.
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { LanguageSupport, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { markdownLanguage } from "@codemirror/lang-markdown";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { strings, isEnglish, CM_PHRASES_VI } from "./strings.js";
import { linkDialog, pageLinkDialog, imageDialog } from "./dialogs.js";
import * as fmt from "./format.js";

/** Turns one textarea into the editor; returns the view. */
export function enhance(textarea) {
  const t = strings(document.documentElement.lang);
  const label = textarea.id ? document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`) : null;
  if (label && !label.id) label.id = `${textarea.id}-label`;

  const wrap = document.createElement("div");
  wrap.className = "md-editor";
  const toolbar = document.createElement("div");
  const host = document.createElement("div");
  host.className = "md-editor-area";

  // Every change goes to the textarea, then an `input` event, as if the user had typed there.
  const sync = EditorView.updateListener.of((u) => {
    if (!u.docChanged) return;
    textarea.value = u.state.doc.toString();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const attrs = { "aria-multiline": "true" };
  if (label) attrs["aria-labelledby"] = label.id;
  else attrs["aria-label"] = t.body;
  if (textarea.required) attrs["aria-required"] = "true";

  const ctx = { t, site: textarea.dataset.site || "", path: textarea.dataset.path || "" };
  const bindings = [
    { key: "Mod-b", run: (v) => fmt.wrap(v, "**") },
    { key: "Mod-i", run: (v) => fmt.wrap(v, "*") },
    { key: "Mod-k", run: (v) => (linkDialog(v, ctx), true) },
  ];
  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        history(),
        drawSelection(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        EditorView.lineWrapping,
        new LanguageSupport(markdownLanguage),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        // defaultKeymap binds no Tab: Tab and Shift-Tab move the focus on, as in a textarea.
        keymap.of([...bindings, ...defaultKeymap, ...historyKeymap, ...searchKeymap]),
        EditorView.contentAttributes.of(attrs),
        isEnglish(document.documentElement.lang) ? [] : EditorState.phrases.of(CM_PHRASES_VI),
        sync,
      ],
    }),
  });
  mirrorDescription(textarea, view.contentDOM);

  buildToolbar(toolbar, view, ctx);
  wrap.append(toolbar, host);
  textarea.after(wrap);
  // Hidden but still in the form; `required` would make the browser refuse to submit the form
  // over a control it cannot focus, so the editable area carries aria-required instead.
  textarea.hidden = true;
  textarea.required = false;
  if (label) label.addEventListener("click", () => view.focus());
  return view;
}

/** Keeps the editable area described (and marked invalid) as the textarea is, as the inline
 * validation changes it. */
function mirrorDescription(textarea, content) {
  const copy = () => {
    for (const a of ["aria-describedby", "aria-invalid"]) {
      const v = textarea.getAttribute(a);
      if (v === null) content.removeAttribute(a);
      else content.setAttribute(a, v);
    }
  };
  copy();
  new MutationObserver(copy).observe(textarea, {
    attributes: true,
    attributeFilter: ["aria-describedby", "aria-invalid"],
  });
}

/** The toolbar: real buttons, one Tab stop, arrow keys (and Home, End) between them. */
function buildToolbar(bar, view, ctx) {
  const { t } = ctx;
  bar.className = "md-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", t.toolbar);
  const actions = [
    ["h2", t.h2, "", () => fmt.heading(view, 2)],
    ["h3", t.h3, "", () => fmt.heading(view, 3)],
    ["bold", t.bold, "Ctrl+B", () => fmt.wrap(view, "**")],
    ["italic", t.italic, "Ctrl+I", () => fmt.wrap(view, "*")],
    ["ul", t.ul, "", () => fmt.list(view, false)],
    ["ol", t.ol, "", () => fmt.list(view, true)],
    ["link", t.link, "Ctrl+K", () => linkDialog(view, ctx)],
    ["page", t.pageLink, "", () => pageLinkDialog(view, ctx)],
    ["table", t.table, "", () => fmt.table(view, t)],
    ["image", t.image, "", () => imageDialog(view, ctx)],
  ];
  const buttons = actions.map(([name, text, keys, run], i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `md-${name}`;
    b.textContent = text;
    if (keys) b.setAttribute("aria-keyshortcuts", keys.replace("Ctrl", "Control"));
    if (keys) b.title = `${text} (${keys})`;
    b.tabIndex = i === 0 ? 0 : -1;
    b.addEventListener("click", () => {
      run();
      if (!["link", "page", "image"].includes(name)) view.focus();
    });
    bar.append(b);
    return b;
  });
  bar.addEventListener("keydown", (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const j = (to + buttons.length) % buttons.length;
    buttons[i].tabIndex = -1;
    buttons[j].tabIndex = 0;
    buttons[j].focus();
  });
}

function start() {
  for (const ta of document.querySelectorAll('textarea[data-editor="markdown"]')) {
    if (!ta.dataset.enhanced) {
      ta.dataset.enhanced = "1";
      const view = enhance(ta);
      ta.cmView = view; // for the browser tests and the edit page's own script
    }
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
