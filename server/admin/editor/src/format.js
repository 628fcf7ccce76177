// Formatting commands of the toolbar: each is one transaction (one undo step) over every
// selection range, and leaves the text it made selected or the cursor where typing goes on.
import { EditorSelection } from "@codemirror/state";

/** Wraps each selection in `mark` (`**` bold, `*` italic), or unwraps it when it is wrapped. */
export function wrap(view, mark) {
  const n = mark.length;
  const { state } = view;
  const tr = state.changeByRange((r) => {
    const before = state.sliceDoc(r.from - n, r.from);
    const after = state.sliceDoc(r.to, r.to + n);
    // `*` must not take one star of a `**`: italic around bold text is `***x***`.
    const alone = n > 1 || (state.sliceDoc(r.from - 2, r.from) !== "**" || state.sliceDoc(r.from - 3, r.from) === "***");
    if (before === mark && after === mark && alone) {
      return {
        changes: [{ from: r.from - n, to: r.from }, { from: r.to, to: r.to + n }],
        range: EditorSelection.range(r.from - n, r.to - n),
      };
    }
    return {
      changes: [{ from: r.from, insert: mark }, { from: r.to, insert: mark }],
      range: EditorSelection.range(r.from + n, r.to + n),
    };
  });
  view.dispatch(state.update(tr, { scrollIntoView: true, userEvent: "input.format" }));
  return true;
}

/** The lines the selection touches, each once. */
function selectedLines(state) {
  const seen = new Set();
  const lines = [];
  for (const r of state.selection.ranges) {
    for (let pos = r.from; pos <= r.to; ) {
      const line = state.doc.lineAt(pos);
      if (!seen.has(line.number)) {
        seen.add(line.number);
        lines.push(line);
      }
      pos = line.to + 1;
    }
  }
  return lines;
}

/** Makes the selected lines headings of `level` (or plain text when they already are). */
export function heading(view, level) {
  const mark = "#".repeat(level) + " ";
  const lines = selectedLines(view.state);
  const all = lines.every((l) => l.text.startsWith(mark));
  const changes = lines.map((l) => {
    const old = /^#{1,6} /.exec(l.text);
    return { from: l.from, to: l.from + (old ? old[0].length : 0), insert: all ? "" : mark };
  });
  view.dispatch({ changes, scrollIntoView: true, userEvent: "input.format" });
  return true;
}

const BULLET = /^(\s*)[-*+] /;
const NUMBER = /^(\s*)\d+[.)] /;

/** Makes the selected lines a bulleted or numbered list (or plain lines when they already are). */
export function list(view, numbered) {
  const lines = selectedLines(view.state).filter((l, i, a) => a.length === 1 || l.text.trim() !== "");
  const re = numbered ? NUMBER : BULLET;
  const all = lines.every((l) => re.test(l.text));
  const changes = lines.map((l, i) => {
    const old = BULLET.exec(l.text) || NUMBER.exec(l.text);
    const indent = old ? old[1] : "";
    const insert = all ? indent : indent + (numbered ? `${i + 1}. ` : "- ");
    return { from: l.from, to: l.from + (old ? old[0].length : 0), insert };
  });
  view.dispatch({ changes, scrollIntoView: true, userEvent: "input.format" });
  return true;
}

/** Where and what to insert so that `text` stands on lines of its own, after the cursor's line,
 * with a blank line before it and a line break after it. */
function block(state, at, text) {
  const line = state.doc.lineAt(at);
  const prev = at > 0 ? state.doc.lineAt(Math.max(0, line.from - 1)) : null;
  let before = "";
  if (line.text.trim() !== "") before = "\n\n";
  else if (prev && prev.number !== line.number && prev.text.trim() !== "") before = "\n";
  const pos = line.text.trim() !== "" ? line.to : line.from;
  return { pos, insert: `${before}${text}\n` };
}

/** Inserts a table of three columns and two rows after the cursor's line, its first header
 * selected. */
export function table(view, t) {
  const { state } = view;
  const head = [1, 2, 3].map((i) => `${t.column} ${i}`);
  const text = `| ${head.join(" | ")} |\n| --- | --- | --- |\n|  |  |  |\n|  |  |  |`;
  const { pos, insert } = block(state, state.selection.main.head, text);
  const start = pos + insert.indexOf("|") + 2;
  view.dispatch({
    changes: { from: pos, insert },
    selection: EditorSelection.range(start, start + head[0].length),
    scrollIntoView: true,
    userEvent: "input.format",
  });
  return true;
}

/** Replaces the main selection with `text` and puts the cursor after it. */
export function insert(view, text) {
  const r = view.state.selection.main;
  view.dispatch({
    changes: { from: r.from, to: r.to, insert: text },
    selection: EditorSelection.cursor(r.from + text.length),
    scrollIntoView: true,
    userEvent: "input.format",
  });
}

/** `[text](url)` with the brackets of the text escaped. */
export function linkText(text, url) {
  const label = text.replace(/([\\[\]])/g, "\\$1");
  const target = /[\s()<>]/.test(url) ? `<${url.replace(/[<>]/g, encodeURIComponent)}>` : url;
  return `[${label}](${target})`;
}
