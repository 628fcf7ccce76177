// The Markdown editor (server/admin/assets/editor.js) on its own, before the pages that use it:
// a page of the admin's origin, answered by the test (Playwright's route) with the admin's real
// CSP header (copied from the login page), the real admin.css and the real editor.js served by
// `cms serve`, and the textarea the edit form gives it. Then the same on the real edit page is
// checked by flow-checks.mjs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { TEXT, compare, typeComposing, typeReplacing } from './ime.mjs';

/** `/admin/assets/editor.<hash>.js`, fingerprinted as server/src/admin/assets.rs does. */
function assetUrl(root, name) {
  const bytes = fs.readFileSync(path.join(root, 'server', 'admin', 'assets', name));
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 10);
  const dot = name.lastIndexOf('.');
  return `/admin/assets/${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

function fixture(t, lang) {
  const css = assetUrl(t.root, 'admin.css');
  const js = assetUrl(t.root, 'editor.js');
  const label = lang === 'en' ? 'Text' : 'Nội dung';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Editor</title><link rel="stylesheet" href="${css}"><script src="${js}" defer></script></head>
<body><main id="main"><h1>Editor</h1>
<form method="post" action="/admin/__editor-fixture">
<div class="field"><label for="title">Tiêu đề</label><input type="text" id="title" name="title"></div>
<div class="field"><label for="body">${label}</label><p class="help" id="body-help">Markdown.</p>
<textarea id="body" name="body" required aria-describedby="body-help" data-editor="markdown" data-site="drvn" data-path="tin-tuc/khong-co/index.md">Đoạn đầu.</textarea></div>
<button type="submit" id="save">Lưu</button>
</form></main></body></html>`;
}

/** A page showing the fixture, with CSP violations and page errors recorded. */
async function open(t, lang = 'vi', width = 1280) {
  const csp = (await fetch(`${t.base}/admin/login`)).headers.get('content-security-policy');
  if (!csp || /unsafe-inline/.test(csp)) throw new Error(`the admin's CSP is missing or allows inline code: ${csp}`);
  const page = await t.browser.newPage({ viewport: { width, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  // The assets as they are on disk (the committed bundle), whichever binary serves the page.
  for (const name of ['admin.css', 'editor.js']) {
    const body = fs.readFileSync(path.join(t.root, 'server', 'admin', 'assets', name));
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    await page.route(`${t.base}${assetUrl(t.root, name)}`, (route) => route.fulfill({ status: 200, headers: { 'content-type': type }, body }));
  }
  await page.route(`${t.base}/admin/__editor-fixture`, (route) =>
    route.fulfill({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }, body: fixture(t, lang) }),
  );
  await page.goto(`${t.base}/admin/__editor-fixture`);
  await page.waitForSelector('.cm-editor .cm-content', { timeout: 10_000 });
  return { page, errors };
}

const value = (page) => page.evaluate(() => document.getElementById('body').value);

/** Puts the cursor at the end of the editor's text. */
async function toEnd(page) {
  await page.focus('.cm-content');
  await page.keyboard.press('Control+End');
}

export async function editorChecks(t) {
  await t.check('editor: replaces the textarea, styled under the admin CSP, no violation, no error', async (lines) => {
    const { page, errors } = await open(t);
    try {
      const r = await page.evaluate(() => {
        const ta = document.getElementById('body');
        const ed = document.querySelector('.cm-editor');
        return {
          hidden: ta.hidden && getComputedStyle(ta).display === 'none',
          inForm: ta.form?.id !== undefined && ta.closest('form') !== null,
          display: getComputedStyle(ed).display,
          // CodeMirror's base theme, from its constructed style sheet: flex column, the line
          // wrapping rule, its own focus outline turned off by admin.css.
          lineWrap: getComputedStyle(document.querySelector('.cm-content')).whiteSpace,
          sheets: document.adoptedStyleSheets.length,
          csp: window.__csp,
          text: ed.querySelector('.cm-content').textContent,
        };
      });
      if (!r.hidden) lines.push('the textarea is still shown');
      if (!r.inForm) lines.push('the textarea left the form');
      if (r.display !== 'flex') lines.push(`.cm-editor display is ${r.display}: CodeMirror's styles did not apply`);
      if (!/pre-wrap|break-spaces/.test(r.lineWrap)) lines.push(`.cm-content white-space is ${r.lineWrap}: no line wrapping`);
      if (r.sheets < 1) lines.push('no constructed style sheet');
      if (r.text !== 'Đoạn đầu.') lines.push(`the editor shows ${JSON.stringify(r.text)}`);
      for (const c of r.csp) lines.push(`CSP violation: ${c}`);
      lines.push(...errors);
      await page.screenshot({ path: path.join(t.artifacts, 'editor-fixture-1280.png') });
      return lines.length === 0;
    } finally {
      await page.close();
    }
  });

  await t.check('editor: labelled by the label, described by the help, toolbar named, in Vietnamese and English', async (lines) => {
    for (const lang of ['vi', 'en']) {
      const { page } = await open(t, lang);
      try {
        const r = await page.evaluate(() => {
          const c = document.querySelector('.cm-content');
          const bar = document.querySelector('[role="toolbar"]');
          const label = document.getElementById(c.getAttribute('aria-labelledby') || '');
          return {
            label: label?.textContent,
            described: c.getAttribute('aria-describedby'),
            required: c.getAttribute('aria-required'),
            role: c.getAttribute('role'),
            bar: bar?.getAttribute('aria-label'),
            buttons: [...(bar?.querySelectorAll('button') || [])].map((b) => b.textContent),
            tabStops: [...(bar?.querySelectorAll('button') || [])].filter((b) => b.tabIndex === 0).length,
          };
        });
        const want = lang === 'en' ? ['Text', 'Formatting', 'Bold'] : ['Nội dung', 'Định dạng nội dung', 'Đậm'];
        if (r.label !== want[0]) lines.push(`${lang}: the editor is labelled ${JSON.stringify(r.label)}`);
        if (r.described !== 'body-help') lines.push(`${lang}: aria-describedby is ${r.described}`);
        if (r.required !== 'true') lines.push(`${lang}: not marked required`);
        if (r.role !== 'textbox') lines.push(`${lang}: role ${r.role}`);
        if (r.bar !== want[1]) lines.push(`${lang}: toolbar named ${r.bar}`);
        if (!r.buttons.includes(want[2]) || r.buttons.length !== 10) lines.push(`${lang}: buttons ${r.buttons.join(', ')}`);
        if (r.tabStops !== 1) lines.push(`${lang}: ${r.tabStops} tab stops in the toolbar`);
      } finally {
        await page.close();
      }
    }
    return lines.length === 0;
  });

  await t.check('editor: keyboard: Tab into the toolbar, arrows, Tab into the text, Tab out (no trap), focus visible', async (lines) => {
    const { page } = await open(t);
    try {
      const focused = () => page.evaluate(() => {
        const a = document.activeElement;
        return a.id || a.className || a.tagName;
      });
      await page.focus('#title');
      await page.keyboard.press('Tab');
      if ((await focused()) !== 'md-h2') lines.push(`Tab from the title went to ${await focused()}`);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      if ((await focused()) !== 'md-bold') lines.push(`two ArrowRight went to ${await focused()}`);
      await page.keyboard.press('End');
      if ((await focused()) !== 'md-image') lines.push(`End went to ${await focused()}`);
      await page.keyboard.press('Tab');
      if (!(await focused()).includes('cm-content')) lines.push(`Tab from the toolbar went to ${await focused()}`);
      // CodeMirror marks the focus (.cm-focused) at its next update.
      await page.waitForSelector('.cm-editor.cm-focused', { timeout: 2000 }).catch(() => {});
      const outline = await page.evaluate(() => getComputedStyle(document.querySelector('.cm-editor')).outlineStyle);
      if (outline !== 'solid') lines.push(`the focused editor's outline is ${outline}`);
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' abc');
      await page.keyboard.press('Tab');
      if ((await focused()) !== 'save') lines.push(`Tab from the text went to ${await focused()}, not the next control`);
      if ((await value(page)) !== 'Đoạn đầu. abc') lines.push(`Tab changed the text: ${JSON.stringify(await value(page))}`);
      await page.keyboard.press('Shift+Tab');
      if (!(await focused()).includes('cm-content')) lines.push(`Shift+Tab went to ${await focused()}`);
      await page.keyboard.press('Shift+Tab');
      if ((await focused()) !== 'md-image') lines.push(`Shift+Tab from the text went to ${await focused()} (the toolbar remembers its last button)`);
      await page.click('label[for="body"]');
      if (!(await focused()).includes('cm-content')) lines.push(`clicking the label focused ${await focused()}`);
      return lines.length === 0;
    } finally {
      await page.close();
    }
  });

  await t.check('editor: each change reaches the textarea with an input event; the form posts body', async (lines) => {
    const { page } = await open(t);
    try {
      await page.evaluate(() => {
        window.__inputs = 0;
        document.getElementById('body').addEventListener('input', () => window.__inputs++);
      });
      await toEnd(page);
      await page.keyboard.type('\nHai');
      const n = await page.evaluate(() => window.__inputs);
      if (n !== 4) lines.push(`${n} input events for 4 keys`);
      if ((await value(page)) !== 'Đoạn đầu.\nHai') lines.push(`textarea: ${JSON.stringify(await value(page))}`);
      const posted = await page.evaluate(() => new FormData(document.querySelector('form')).get('body'));
      if (posted !== 'Đoạn đầu.\nHai') lines.push(`the form would post ${JSON.stringify(posted)}`);
      const valid = await page.evaluate(() => document.querySelector('form').checkValidity());
      if (!valid) lines.push('the form does not validate (a hidden required control?)');
      return lines.length === 0;
    } finally {
      await page.close();
    }
  });

  await t.check('editor: toolbar: headings, bold, italic, lists, table, link dialog; undo', async (lines) => {
    const { page, errors } = await open(t);
    try {
      const set = (text, from, to) => page.evaluate(([text, from, to]) => {
        const v = document.getElementById('body').cmView;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, selection: { anchor: from, head: to } });
        v.focus();
      }, [text, from, to]);
      const cases = [
        ['.md-h2', 'Mở đầu', 0, 0, '## Mở đầu'],
        ['.md-h3', '## Mở đầu', 0, 0, '### Mở đầu'],
        ['.md-bold', 'một hai', 4, 7, 'một **hai**'],
        ['.md-bold', 'một **hai**', 6, 9, 'một hai'],
        ['.md-italic', 'một hai', 0, 3, '*một* hai'],
        ['.md-ul', 'a\nb', 0, 3, '- a\n- b'],
        ['.md-ol', '- a\n- b', 0, 7, '1. a\n2. b'],
        ['.md-table', 'Bảng:', 5, 5, 'Bảng:\n\n| Cột 1 | Cột 2 | Cột 3 |\n| --- | --- | --- |\n|  |  |  |\n|  |  |  |\n'],
      ];
      for (const [button, text, from, to, want] of cases) {
        await set(text, from, to);
        await page.click(button);
        const got = await value(page);
        if (got !== want) lines.push(`${button} on ${JSON.stringify(text)}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      }
      await page.keyboard.press('Control+z');
      if ((await value(page)) !== 'Bảng:') lines.push(`undo after the table: ${JSON.stringify(await value(page))}`);
      // Link: the selection is the text; a javascript: address is refused with a message.
      await set('xem Cục', 4, 7);
      await page.click('.md-link');
      const dlg = page.locator('dialog.md-dialog');
      await dlg.waitFor();
      await page.keyboard.type('javascript:alert(1)');
      await page.keyboard.press('Enter');
      const err = await dlg.locator('.field-error:not([hidden])').textContent();
      if (!/https:\/\//.test(err || '')) lines.push(`no message for a javascript: link: ${err}`);
      const invalid = await page.evaluate(() => document.activeElement.getAttribute('aria-invalid'));
      if (invalid !== 'true') lines.push('the address is not marked invalid and focused');
      await page.fill('dialog input[inputmode="url"]', 'https://drvn.gov.vn/');
      await page.keyboard.press('Enter');
      await dlg.waitFor({ state: 'detached' });
      if ((await value(page)) !== 'xem [Cục](https://drvn.gov.vn/)') lines.push(`link: ${JSON.stringify(await value(page))}`);
      const back = await page.evaluate(() => document.activeElement.classList.contains('cm-content'));
      if (!back) lines.push('the focus did not come back to the editor after the dialog');
      // Escape closes a dialog without a change.
      await page.click('.md-link');
      await dlg.waitFor();
      await page.keyboard.press('Escape');
      await dlg.waitFor({ state: 'detached' });
      if ((await value(page)) !== 'xem [Cục](https://drvn.gov.vn/)') lines.push('Escape changed the text');
      // A page without files: the image dialog says so.
      await page.click('.md-image');
      await dlg.waitFor();
      const msg = await dlg.textContent();
      if (!/Trang chưa có ảnh|Không đọc được/.test(msg)) lines.push(`image dialog without files: ${msg}`);
      await page.keyboard.press('Escape');
      lines.push(...errors.filter((e) => !/Failed to load resource/.test(e)));
      return lines.length === 0;
    } finally {
      await page.close();
    }
  });

  for (const [how, type] of [['composition', typeComposing], ['Backspace and retype', typeReplacing]]) {
    await t.check(`IME (Telex, VNI by ${how}): the editor gets exactly "${TEXT}"`, async (lines) => {
      const { page } = await open(t);
      try {
        await page.evaluate(() => {
          const v = document.getElementById('body').cmView;
          v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: '' } });
        });
        await toEnd(page);
        await type(page);
        const bad = compare(await value(page), TEXT);
        if (bad) lines.push(`textarea: ${bad}`);
        const shown = await page.evaluate(() => document.querySelector('.cm-content').textContent);
        const bad2 = compare(shown, TEXT);
        if (bad2) lines.push(`editor shows: ${bad2}`);
        // And in the middle of text, after a line typed normally.
        await page.keyboard.press('Home');
        await page.keyboard.type('Tin: ');
        await type(page);
        await page.keyboard.type('.');
        const bad3 = compare(await value(page), `Tin: ${TEXT}.${TEXT}`);
        if (bad3) lines.push(`in the middle: ${bad3}`);
        return lines.length === 0;
      } finally {
        await page.close();
      }
    });
    await t.check(`IME (Telex, VNI by ${how}): a plain input gets exactly "${TEXT}"`, async (lines) => {
      const { page } = await open(t);
      try {
        await page.focus('#title');
        await type(page);
        const bad = compare(await page.inputValue('#title'), TEXT);
        if (bad) lines.push(bad);
        return lines.length === 0;
      } finally {
        await page.close();
      }
    });
  }

  await t.check('editor: axe (WCAG 2.1 A/AA) on the editor and its dialogs at 1280 and 375 px', async (lines) => {
    for (const width of [1280, 375]) {
      const { page } = await open(t, 'vi', width);
      try {
        for (const v of await t.runAxe(page)) lines.push(`[${width}] ${v}`);
        await page.screenshot({ path: path.join(t.artifacts, `editor-fixture-${width}.png`), fullPage: true });
        await page.click('.md-page');
        await page.locator('dialog.md-dialog').waitFor();
        await page.keyboard.type('đường');
        await page.keyboard.press('Enter');
        await page.waitForSelector('.md-status:not(:empty)');
        await page.waitForFunction(() => !/Đang tìm/.test(document.querySelector('.md-status').textContent));
        for (const v of await t.runAxe(page)) lines.push(`[${width}, page link dialog] ${v}`);
        await page.screenshot({ path: path.join(t.artifacts, `editor-page-link-${width}.png`) });
      } finally {
        await page.close();
      }
    }
    return lines.length === 0;
  });

  await t.check('editor: link to a page of the network, found by search, inserted as @/site/file.md', async (lines) => {
    const { page } = await open(t);
    try {
      await page.evaluate(() => {
        const v = document.getElementById('body').cmView;
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: 'Xem ' }, selection: { anchor: 4 } });
      });
      await page.click('.md-page');
      await page.locator('dialog.md-dialog').waitFor();
      await page.keyboard.type('cao tốc');
      await page.keyboard.press('Enter');
      const first = page.locator('dialog .md-hit').first();
      await first.waitFor({ timeout: 10_000 });
      const title = await first.locator('.md-hit-title').textContent();
      await first.focus();
      await page.keyboard.press('Enter');
      await page.locator('dialog.md-dialog').waitFor({ state: 'detached' });
      const got = await value(page);
      const m = /^Xem \[(.+)\]\(@\/([a-z0-9-]+)\/(.+\.md)\)$/.exec(got);
      if (!m) lines.push(`inserted ${JSON.stringify(got)}`);
      else {
        if (m[1] !== title.replace(/([\\[\]])/g, '\\$1')) lines.push(`link text ${m[1]}, hit ${title}`);
        const r = await fetch(`${t.base}/api/v1/sites/${m[2]}/content/${m[3]}`);
        if (!r.ok) lines.push(`@/${m[2]}/${m[3]} is not a published page (${r.status})`);
      }
      return lines.length === 0;
    } finally {
      await page.close();
    }
  });
}
