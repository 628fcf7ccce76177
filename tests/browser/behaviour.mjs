// What a reader does with the keyboard, the display options and the printer, checked in the
// browser a11y.mjs started (imported by it; not run on its own):
//   - the first Tab lands on a visible skip link, and Enter moves focus to the main content;
//   - Tab walks the page in document order, and every stop shows a focus indicator;
//   - the access keys (Alt+1 home, Alt+3 site map, Alt+4 search) work;
//   - with JavaScript off, "Cỡ chữ lớn" enlarges the text and "Tương phản cao" turns the text
//     black (CSS only); with it on, the choices carry over to the next page;
//   - axe finds no violation with both options on;
//   - the print layout hides the navigation and keeps the article; a PDF of a legal document
//     and a print-media screenshot go to artifacts/.
// Each check returns { name, ok, lines }.

import path from 'node:path';

/** Runs every check; `t` holds what a11y.mjs knows: the browser context, the URL of a site's
 * path, the pages it tested, runAxe, and the artifacts folder. */
export async function behaviourChecks(t) {
  const page = await t.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(30_000);
  const results = [];
  const check = async (name, fn) => {
    const lines = [];
    let ok;
    try {
      ok = await fn(lines);
    } catch (e) {
      lines.push(`error: ${e.message.split('\n')[0]}`);
      ok = false;
    }
    results.push({ name, ok: !!ok, lines });
  };
  const home = t.url(t.portal, '/');
  const legal = t.legalPath ? t.url(t.portal, t.legalPath) : home;
  const agencyHome = t.url(t.agency, '/');
  const active = () =>
    page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return null;
      const r = a.getBoundingClientRect();
      const s = getComputedStyle(a);
      return {
        tag: a.tagName.toLowerCase(),
        id: a.id,
        cls: a.className,
        text: (a.textContent || a.getAttribute('aria-label') || '').trim().slice(0, 40),
        visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0,
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
        shadow: s.boxShadow !== 'none',
      };
    });

  try {
    await check('keyboard: the first Tab reaches a visible skip link, Enter moves to the content', async (lines) => {
      await page.goto(home);
      await page.keyboard.press('Tab');
      const first = await active();
      if (!first || !/skip-link/.test(first.cls) || !first.visible) {
        lines.push(`first Tab focused ${JSON.stringify(first)}, expected the visible skip link`);
        return false;
      }
      await page.keyboard.press('Enter');
      const after = await page.evaluate(() => document.activeElement?.id);
      if (after !== 'noi-dung') lines.push(`after Enter on the skip link, focus is on #${after}, expected #noi-dung`);
      return after === 'noi-dung';
    });

    await check('keyboard: Tab follows the document order and every stop shows focus', async (lines) => {
      for (const url of [home, legal]) {
        await page.goto(url);
        // Tag each focusable element with its document position, then walk with Tab.
        const total = await page.evaluate(() => {
          const all = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')];
          all.forEach((el, i) => el.setAttribute('data-order', String(i)));
          return all.length;
        });
        let last = -1;
        const stops = Math.min(total, 80);
        for (let i = 0; i < stops; i++) {
          await page.keyboard.press('Tab');
          const a = await active();
          const order = Number(await page.evaluate(() => document.activeElement?.getAttribute('data-order') ?? -1));
          if (!a) break;
          if (order <= last) {
            // Past the end the focus wraps to the browser; anything else is out of order.
            if (order === -1 || order === 0) break;
            lines.push(`${url}: Tab went back from element ${last} to ${order} (${a.tag} "${a.text}")`);
          }
          if (!a.visible) lines.push(`${url}: Tab stop ${i + 1} (${a.tag} "${a.text}") is not visible`);
          if (!a.outline && !a.shadow) lines.push(`${url}: Tab stop ${i + 1} (${a.tag} "${a.text}") shows no focus indicator`);
          last = order;
        }
      }
      return lines.length === 0;
    });

    await check('keyboard: access keys Alt+1 (home), Alt+3 (site map), Alt+4 (search)', async (lines) => {
      // Playwright's keyboard sends no character with Alt held, so Blink sees no access key;
      // the DevTools protocol can send the key as Chromium on Linux receives it from the system.
      const cdp = await t.context.newCDPSession(page);
      const accessKey = async (k) => {
        const code = `Digit${k}`;
        const vk = k.charCodeAt(0);
        await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', modifiers: 1, key: k, code, windowsVirtualKeyCode: vk, text: k, unmodifiedText: k });
        await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', modifiers: 1, key: k, code, windowsVirtualKeyCode: vk });
      };
      try {
        await page.goto(legal);
        await accessKey('4');
        const id = await page.evaluate(() => document.activeElement?.id);
        if (id !== 'q') lines.push(`Alt+4 focused #${id}, expected the search box #q`);
        for (const [k, want] of [['1', '/'], ['3', '/so-do-cong/']]) {
          await page.goto(legal);
          await Promise.all([page.waitForURL((u) => u.pathname === want, { timeout: 10_000 }), accessKey(k)]).catch(() =>
            lines.push(`Alt+${k} did not go to ${want} (at ${page.url()})`),
          );
        }
      } finally {
        await cdp.detach();
      }
      return lines.length === 0;
    });

    await check('display options work without JavaScript', async (lines) => {
      const cdp = await t.context.newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      try {
        await page.goto(legal);
        const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('main .content p, main td') || document.body).fontSize));
        const before = await size();
        await page.click('label[for=opt-large]');
        const after = await size();
        if (!(after >= before * 1.2)) lines.push(`text size ${before}px → ${after}px after "larger text", expected ≥ ×1.2`);
        await page.click('label[for=opt-contrast]');
        const ink = await page.evaluate(() => getComputedStyle(document.querySelector('main h1')).color);
        if (ink !== 'rgb(0, 0, 0)') lines.push(`heading colour ${ink} in high contrast, expected black`);
      } finally {
        await cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
        await cdp.detach();
      }
      return lines.length === 0;
    });

    await check('display options carry over to the next page (with JavaScript), and axe passes with them on', async (lines) => {
      await page.goto(home);
      await page.check('#opt-large');
      await page.check('#opt-contrast');
      for (const url of [legal, agencyHome, home]) {
        // The agency site is another origin: its storage starts empty, so set the options there too.
        await page.goto(url);
        if (url === agencyHome) {
          await page.check('#opt-large');
          await page.check('#opt-contrast');
        } else {
          const kept = await page.evaluate(() => document.getElementById('opt-large').checked && document.getElementById('opt-contrast').checked);
          if (!kept) lines.push(`${url}: the display options chosen on the previous page are not kept`);
        }
        const r = await t.runAxe(page);
        for (const v of r.violations) lines.push(`${url} [large text + high contrast] ${v.id} (${v.impact}): ${v.help} — ${v.targets.slice(0, 4).join(', ')}`);
        if (url === legal) await page.screenshot({ path: path.join(t.artifacts, 'portal-legal-large-contrast-1280.png'), fullPage: true });
      }
      // Leave the browser as a new reader finds it.
      for (const url of [home, agencyHome]) {
        await page.goto(url);
        await page.uncheck('#opt-large');
        await page.uncheck('#opt-contrast');
      }
      return lines.length === 0;
    });

    await check('print layout: navigation hidden, article kept; PDF in artifacts/', async (lines) => {
      await page.goto(legal);
      await page.emulateMedia({ media: 'print' });
      const shown = await page.evaluate(() => {
        const vis = (sel) => {
          const el = document.querySelector(sel);
          return el ? getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0 : null;
        };
        return { menu: vis('.main-menu'), tools: vis('.tools'), share: vis('.article-tools'), crumbs: vis('.breadcrumbs'), h1: vis('main h1'), body: vis('main article') ?? vis('main') };
      });
      for (const k of ['menu', 'tools', 'share', 'crumbs']) if (shown[k]) lines.push(`${k} is printed`);
      for (const k of ['h1', 'body']) if (!shown[k]) lines.push(`${k} is not printed`);
      await page.screenshot({ path: path.join(t.artifacts, 'portal-legal-print.png'), fullPage: true });
      await page.pdf({ path: path.join(t.artifacts, 'portal-legal.pdf'), format: 'A4', printBackground: false });
      await page.emulateMedia({ media: 'screen' });
      return lines.length === 0;
    });
  } finally {
    await page.close().catch(() => {});
  }
  return results;
}
