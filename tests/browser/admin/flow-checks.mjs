// The editorial flow through the admin's real pages, as the issue tells it: an editor of the
// agency drvn creates a news item (title typed through a simulated Vietnamese input method, the
// body in the Markdown editor, the preview updating, a validation error shown inline and fixed,
// an image of the page with its description), saves and submits; another editor's stale save
// shows the conflict; an editor of another agency cannot see the draft; the approver reviews
// the diff and publishes; the page is served on drvn's site and its commit names the editor.
// Then the create → submit flow again with the keyboard alone.
import path from 'node:path';
import zlib from 'node:zlib';
import { login } from './session.mjs';
import { TEXT, compare, typeComposing } from './ime.mjs';

const SITE = 'drvn';
const SECTION = 'tin-tuc';
const SLUG = 'thu-nghiem-trinh-soan-thao';
const PAGE = `${SECTION}/${SLUG}/index.md`;
const BODY = 'Đoàn kiểm tra làm việc tại trạm thu phí.';
const BROKEN = ' Xem [trang không có](@/drvn/khong-co-trang-nay.md).';

/** A 2×2 PNG, made here (no binary in the repository). */
function png() {
  const crc = (buf) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.from([0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0]);
  const rows = Buffer.from([0, 200, 30, 30, 30, 30, 200, 0, 30, 200, 30, 200, 200, 30]);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** The id of the form control whose label starts with `text`. */
async function fieldId(page, text) {
  const id = await page.evaluate((text) => {
    const l = [...document.querySelectorAll('label[for]')].find((x) => x.textContent.trim().startsWith(text));
    return l ? l.htmlFor : null;
  }, text);
  if (!id) throw new Error(`no field labelled "${text}…" on ${page.url()}`);
  return `#${CSS_escape(id)}`;
}

function CSS_escape(id) {
  return id.replace(/([^a-zA-Z0-9_-])/g, '\\$1');
}

/** Opens `url`; a 404 means the page is not there yet. */
async function goto(t, page, url) {
  const res = await page.goto(t.base + url);
  if (res && res.status() === 404 && /404|not found|không tìm thấy/i.test(await page.title())) throw new t.Waiting(`${url} answers 404`);
  return res;
}

const editorValue = (page) => page.evaluate(() => document.getElementById('body').value);

/** Types into the Markdown editor at the end of its text. */
async function typeInEditor(page, text) {
  await page.focus('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

/** Waits until the preview frame shows `text`; the milliseconds it took. */
async function previewShows(page, text, timeout = 10_000) {
  const t0 = Date.now();
  await page.waitForFunction((text) => (document.getElementById('preview')?.srcdoc || '').includes(text), text, { timeout });
  return Date.now() - t0;
}

async function newContext(t, who) {
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  if (who) await login(page, t, who);
  return { context, page };
}

export async function flowChecks(t) {
  if (!t.wants('flow') && !t.wants('keyboard')) return;
  const s = { editor: null, path: PAGE };
  try {
    s.editor = await newContext(t, 'bien-tap');
    await flowSteps(t, s);
  } finally {
    if (s.editor) await s.editor.context.close();
  }
  await keyboardFlow(t);
}

async function flowSteps(t, s) {
  const { page } = s.editor;
  let created = false;
  await t.check('flow: editor creates a news item: title by IME, body in the editor, preview updates, inline error fixed, saved', async (lines) => {
    await goto(t, page, `/admin/sites/${SITE}/new?section=${SECTION}`);
    await page.waitForSelector('.cm-editor .cm-content');
    await page.fill(await fieldId(page, 'Tên đường dẫn'), SLUG);
    const title = await fieldId(page, 'Tiêu đề');
    await page.focus(title);
    await typeComposing(page);
    const bad = compare(await page.inputValue(title), TEXT);
    if (bad) lines.push(`title after IME: ${bad}`);
    await typeInEditor(page, BODY);
    const ms = await previewShows(page, 'Đoàn kiểm tra');
    lines.push(`(preview showed the body ${ms} ms after the last key)`);
    // A link to a page that does not exist: cms check's error, beside the body.
    await typeInEditor(page, BROKEN);
    await page.waitForFunction(() => document.querySelector('.cm-content')?.getAttribute('aria-invalid') === 'true', null, { timeout: 10_000 });
    const err = await page.textContent('#err-body');
    if (!/khong-co-trang-nay/.test(err || '')) lines.push(`the error beside the body: ${JSON.stringify(err)}`);
    await page.evaluate((body) => {
      const v = document.getElementById('body').cmView;
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: body } });
    }, BODY);
    await page.waitForFunction(() => !document.querySelector('.cm-content')?.hasAttribute('aria-invalid'), null, { timeout: 10_000 });
    await page.screenshot({ path: path.join(t.artifacts, 'flow-new-page-1280.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/edit\//), page.click('button[name="action"][value="save"]')]);
    s.path = decodeURIComponent(new URL(page.url()).pathname.replace(`/admin/sites/${SITE}/edit/`, ''));
    if (s.path !== PAGE) lines.push(`saved as ${s.path}`);
    const body = await editorValue(page);
    if (body.trim() !== BODY) lines.push(`the saved body reads ${JSON.stringify(body)}`);
    created = true;
    return lines.filter((l) => !l.startsWith('(')).length === 0;
  });
  if (!created) return;

  await t.check('flow: an image of the page with its description (media page, then the editor\'s image button)', async (lines) => {
    const res = await goto(t, page, `/admin/sites/${SITE}/media/${s.path}`);
    if (!res.ok()) lines.push(`media page: HTTP ${res.status()}`);
    const file = page.locator('input[type="file"]');
    if (!(await file.count())) {
      lines.push(`no file input on the media page: ${(await page.textContent('main')).slice(0, 300)}`);
      return false;
    }
    await file.setInputFiles({ name: 'tram-thu-phi.png', mimeType: 'image/png', buffer: png() });
    const alt = page.locator('form:has(input[type="file"]) input[type="text"], form:has(input[type="file"]) textarea').first();
    await alt.fill('Trạm thu phí không dừng trên quốc lộ');
    await Promise.all([page.waitForNavigation({ timeout: 15_000 }), page.locator('form:has(input[type="file"]) button[type="submit"]').first().click()]);
    const main = await page.textContent('main');
    if (!/tram-thu-phi\.png/.test(main)) lines.push(`after the upload: ${main.replace(/\s+/g, ' ').slice(0, 400)}`);
    await goto(t, page, `/admin/sites/${SITE}/edit/${s.path}`);
    await page.waitForSelector('.cm-editor .cm-content');
    await page.focus('.cm-content');
    await page.keyboard.press('Control+End');
    await page.click('.md-image');
    const dlg = page.locator('dialog.md-dialog');
    await dlg.waitFor();
    if (!(await dlg.locator('select').count())) {
      lines.push(`image dialog: ${(await dlg.textContent()).trim()}`);
      await page.keyboard.press('Escape');
      return false;
    }
    await page.keyboard.press('Enter'); // no description: refused, said beside the field
    if (!(await dlg.locator('.field-error:not([hidden])').count())) lines.push('an image without a description was not refused');
    await page.keyboard.type('Trạm thu phí');
    await page.keyboard.press('Enter');
    await dlg.waitFor({ state: 'detached' });
    if (!(await editorValue(page)).includes('![Trạm thu phí](tram-thu-phi.png)')) lines.push(`body: ${JSON.stringify(await editorValue(page))}`);
    await Promise.all([page.waitForURL(/saved/), page.click('button[name="action"][value="save"]')]);
    return lines.length === 0;
  });

  await t.check('flow: files dropped on the media page (a PDF sent at once, an image waits for its description)', async (lines) => {
    await goto(t, page, `/admin/sites/${SITE}/media/${s.path}`);
    const drop = async (name, type, bytes) => {
      const dt = await page.evaluateHandle(([n, ty, b]) => {
        const d = new DataTransfer();
        d.items.add(new File([new Uint8Array(b)], n, { type: ty }));
        return d;
      }, [name, type, Array.from(bytes)]);
      await page.dispatchEvent('#upload-form', 'dragenter', { dataTransfer: dt });
      if (!(await page.locator('#upload-form.dragging').count())) lines.push(`no sign of the drag over the form (${name})`);
      await page.dispatchEvent('#upload-form', 'drop', { dataTransfer: dt });
    };
    if (!(await page.locator('#upload-form .drop-help:not([hidden])').count())) lines.push('the drop help is not shown with JavaScript');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    await Promise.all([page.waitForNavigation({ timeout: 15_000 }), drop('ke-hoach-trien-khai.pdf', 'application/pdf', pdf)]);
    let main = await page.textContent('main');
    if (!/ke-hoach-trien-khai\.pdf/.test(main)) lines.push(`after dropping a PDF: ${main.replace(/\s+/g, ' ').slice(0, 400)}`);
    // An image without its description is not sent: the description field gets the focus.
    await drop('cau-vuot.png', 'image/png', png());
    await page.waitForTimeout(300);
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== 'alt') lines.push(`after dropping an image without a description the focus is on #${focused}`);
    if (/cau-vuot\.png/.test(await page.textContent('main'))) lines.push('the image was sent without its description');
    await page.fill('#alt', 'Cầu vượt tại nút giao');
    await Promise.all([page.waitForNavigation({ timeout: 15_000 }), page.locator('#upload-form button[type="submit"]').first().click()]);
    main = await page.textContent('main');
    if (!/cau-vuot\.png/.test(main)) lines.push(`after the description and send: ${main.replace(/\s+/g, ' ').slice(0, 400)}`);
    return lines.length === 0;
  });

  await t.check('flow: a second editor\'s save over a changed page shows the conflict, their text kept', async (lines) => {
    const other = await newContext(t, 'bien-tap-2');
    try {
      await goto(t, other.page, `/admin/sites/${SITE}/edit/${s.path}`);
      await other.page.waitForSelector('.cm-editor .cm-content');
      // The first editor saves a change meanwhile.
      await goto(t, page, `/admin/sites/${SITE}/edit/${s.path}`);
      await typeInEditor(page, '\n\nĐoạn thứ hai của biên tập viên thứ nhất.');
      await Promise.all([page.waitForURL(/saved/), page.click('button[name="action"][value="save"]')]);
      await typeInEditor(other.page, '\n\nĐoạn của người thứ hai.');
      await Promise.all([other.page.waitForNavigation({ timeout: 15_000 }), other.page.click('button[name="action"][value="save"]')]);
      const conflict = await other.page.locator('.conflict').count();
      if (!conflict) lines.push(`no conflict shown: ${(await other.page.textContent('main')).replace(/\s+/g, ' ').slice(0, 300)}`);
      else {
        const diff = await other.page.textContent('.conflict');
        if (!/biên tập viên thứ nhất/.test(diff)) lines.push('the conflict does not show the other change');
      }
      const kept = await other.page.evaluate(() => document.getElementById('body').value);
      if (!kept.includes('Đoạn của người thứ hai.')) lines.push('the second editor\'s text was lost');
      await other.page.screenshot({ path: path.join(t.artifacts, 'flow-conflict-1280.png'), fullPage: true });
    } finally {
      await other.context.close();
    }
    return lines.length === 0;
  });

  await t.check('flow: the editor submits for review', async (lines) => {
    await goto(t, page, `/admin/sites/${SITE}/edit/${s.path}`);
    const submit = page.locator(`form[action="/admin/sites/${SITE}/submit/${s.path}"] button`);
    await Promise.all([page.waitForNavigation({ timeout: 15_000 }), submit.click()]);
    const r = await page.evaluate(async (site) => (await fetch(`/api/v1/sites/${site}/drafts`)).json(), SITE);
    const d = (r.drafts || r).find?.((x) => x.path === s.path);
    if (!d || d.status !== 'in_review') lines.push(`the draft: ${JSON.stringify(d)}`);
    return lines.length === 0;
  });

  await t.check('flow: an editor of another agency cannot see the draft', async (lines) => {
    const mt = await newContext(t, 'mt-bien-tap');
    try {
      for (const url of [`/admin/sites/${SITE}/edit/${s.path}`, `/admin/sites/${SITE}/review/${s.path}`, `/admin/sites/${SITE}/history/${s.path}`]) {
        const res = await mt.page.goto(t.base + url);
        const main = await mt.page.textContent('main');
        if (res.status() !== 403) lines.push(`${url}: HTTP ${res.status()}`);
        if (main.includes('Đoàn kiểm tra')) lines.push(`${url} shows the draft's text`);
      }
      for (const url of ['/admin/', '/admin/review']) {
        await mt.page.goto(t.base + url);
        if ((await mt.page.content()).includes(SLUG)) lines.push(`${url} lists the draft`);
      }
      const api = await mt.page.evaluate(async (u) => (await fetch(u)).status, `/api/v1/sites/${SITE}/pages/${s.path}`);
      if (api !== 403) lines.push(`the API answered ${api}`);
    } finally {
      await mt.context.close();
    }
    return lines.length === 0;
  });

  await t.check('flow: the approver reviews the diff and publishes; the page is on drvn\'s site; its commit names the editor', async (lines) => {
    const ap = await newContext(t, 'duyet');
    try {
      await goto(t, ap.page, '/admin/review');
      const link = ap.page.locator(`a[href="/admin/sites/${SITE}/review/${s.path}"]`);
      if (!(await link.count())) lines.push('the review queue does not list the page');
      await goto(t, ap.page, `/admin/sites/${SITE}/review/${s.path}`);
      const main = await ap.page.textContent('main');
      for (const want of ['Đoàn kiểm tra', TEXT.split(' ')[0]]) if (!main.includes(want)) lines.push(`the review page does not show "${want}"`);
      await ap.page.screenshot({ path: path.join(t.artifacts, 'flow-review-1280.png'), fullPage: true });
      const approve = ap.page.locator('form button[type="submit"]').filter({ hasText: /Duyệt ngay|Duyệt và xuất bản/ }).first();
      await Promise.all([ap.page.waitForNavigation({ timeout: 15_000 }), approve.click()]);
      const notice = await ap.page.locator('.notice, [role="status"]').allTextContents();
      lines.push(`(after approving: ${notice.join(' ').replace(/\s+/g, ' ').trim().slice(0, 200)})`);
    } finally {
      await ap.context.close();
    }
    // The live builder publishes within seconds; Chromium resolves *.localhost to the loopback.
    const url = `http://${SITE}.localhost:${new URL(t.base).port}/${s.path.replace(/(\/index)?\.md$/, '/')}`;
    const site = await t.browser.newPage();
    const deadline = Date.now() + 60_000;
    let html = '';
    try {
      while (Date.now() < deadline) {
        const r = await site.goto(url).catch(() => null);
        if (r && r.ok()) {
          html = await site.content();
          if (html.includes('Đoàn kiểm tra')) break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      await site.screenshot({ path: path.join(t.artifacts, 'flow-published-1280.png') });
    } finally {
      await site.close();
    }
    if (!html.includes('Đoàn kiểm tra')) lines.push(`${url} does not show the page within 60 s`);
    if (!html.normalize('NFC').includes(TEXT)) lines.push('the published title is not the one typed');
    const authors = t.git(t.repo, 'log', 'main', '--format=%an <%ae>', '--', `sites/${SITE}/${s.path}`);
    if (!authors.includes('Nguyễn Thị Biên Tập <bien-tap@mt.gov.vn>')) lines.push(`commits of the page by: ${authors.trim().split('\n').join('; ')}`);
    return lines.filter((l) => !l.startsWith('(')).length === 0;
  });
}

/** Presses Tab until `pred(activeElement)` holds (at most 80 times); false when it never does. */
async function tabTo(page, pred, arg) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(pred, arg)) return true;
  }
  return false;
}

async function keyboardFlow(t) {
  await t.check('keyboard alone: log in, new page, fields, editor, save, submit', async (lines) => {
    const { context, page } = await newContext(t, null);
    try {
      const u = t.users['bien-tap'];
      await page.goto(`${t.base}/admin/login`);
      if (!(await tabTo(page, () => document.activeElement.id === 'login'))) lines.push('Tab never reaches the login field');
      await page.keyboard.type(u.login);
      await page.keyboard.press('Tab');
      await page.keyboard.type(u.password);
      await Promise.all([page.waitForURL((x) => !x.pathname.startsWith('/admin/login')), page.keyboard.press('Enter')]);
      // The new-page link from the site's content list, or its address typed.
      await goto(t, page, `/admin/sites/${SITE}/new?section=${SECTION}`);
      await page.waitForSelector('.cm-editor .cm-content');
      const slugId = (await fieldId(page, 'Tên đường dẫn')).slice(1);
      if (!(await tabTo(page, (id) => document.activeElement.id === id, slugId))) lines.push('Tab never reaches the slug');
      await page.keyboard.type('ban-phim');
      const titleId = (await fieldId(page, 'Tiêu đề')).slice(1);
      if (!(await tabTo(page, (id) => document.activeElement.id === id, titleId))) lines.push('Tab never reaches the title');
      await typeComposing(page);
      if (!(await tabTo(page, () => document.activeElement.classList.contains('cm-content')))) lines.push('Tab never reaches the editor');
      await page.keyboard.type('Viết bằng bàn phím. ');
      await page.keyboard.press('Control+b');
      await page.keyboard.type('Quan trọng');
      if (!(await tabTo(page, () => document.activeElement.matches('button[name="action"][value="save"]')))) lines.push('Tab never leaves the editor for Save');
      await Promise.all([page.waitForURL(/\/edit\//), page.keyboard.press('Enter')]);
      const body = await editorValue(page);
      if (body.trim() !== 'Viết bằng bàn phím. **Quan trọng**') lines.push(`saved body ${JSON.stringify(body)}`);
      if (!(await tabTo(page, () => (document.activeElement.closest('form')?.getAttribute('action') || '').includes('/submit/')))) lines.push('Tab never reaches Submit');
      await Promise.all([page.waitForNavigation({ timeout: 15_000 }), page.keyboard.press('Enter')]);
      const r = await page.evaluate(async (site) => (await fetch(`/api/v1/sites/${site}/drafts`)).json(), SITE);
      const d = (r.drafts || r).find?.((x) => x.path.includes('ban-phim'));
      if (!d || d.status !== 'in_review') lines.push(`the draft: ${JSON.stringify(d)}`);
    } finally {
      await context.close();
    }
    return lines.length === 0;
  });
}
