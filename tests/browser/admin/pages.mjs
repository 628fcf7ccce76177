// Every admin page, as the users who see it: axe-core (WCAG 2.0/2.1 A and AA) at 1280 and
// 375 px, and a full-page screenshot of each at both widths in artifacts/admin/.
//
// The pages are found by following the admin's own links (GET, same origin, under /admin/),
// from the dashboard of each user below, so a page added to the admin is checked without a
// change here. Links that act (logout, the language switch) and assets are not followed; of the
// pages of one route (`/admin/sites/drvn/edit/tin-tuc/a.md`, `…/b.md`) the first two are kept.
import path from 'node:path';
import { login } from './session.mjs';

const MAX_PAGES = Number(process.env.ADMIN_MAX_PAGES || 24);
const WIDTHS = [1280, 375];

/** The route of a path: its first three segments and how many more there are. */
function route(p) {
  const parts = p.split('/').filter(Boolean);
  return `${parts.slice(0, 4).join('/')}+${Math.max(0, parts.length - 4)}`;
}

/** A file name for the screenshot of `p`. */
function shotName(who, p) {
  const name = p.replace(/^\/admin\/?/, '').replace(/[^a-z0-9.-]+/gi, '_').replace(/^_|_$/g, '') || 'dashboard';
  return `${who}-${name}`.slice(0, 120);
}

async function crawl(page, base, starts) {
  const seen = new Set();
  const perRoute = new Map();
  const queue = [...starts];
  const pages = [];
  while (queue.length && pages.length < MAX_PAGES) {
    const p = queue.shift();
    if (seen.has(p)) continue;
    seen.add(p);
    const r = route(p);
    if ((perRoute.get(r) || 0) >= 2) continue;
    perRoute.set(r, (perRoute.get(r) || 0) + 1);
    const res = await page.goto(base + p);
    pages.push({ path: p, status: res?.status() ?? 0 });
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')));
    for (const href of links) {
      const u = new URL(href, base + p);
      if (u.origin !== base || !u.pathname.startsWith('/admin/')) continue;
      if (/^\/admin\/(logout|lang\/|assets\/)/.test(u.pathname)) continue;
      const q = u.pathname + u.search;
      if (!seen.has(q)) queue.push(q);
    }
  }
  return pages;
}

async function checkPages(t, who, lines) {
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  try {
    let pages;
    if (who === 'login') pages = [{ path: '/admin/login', status: (await page.goto(`${t.base}/admin/login`))?.status() }];
    else {
      await login(page, t, who);
      pages = await crawl(page, t.base, ['/admin/', '/admin/sites/drvn/new?section=tin-tuc']);
    }
    for (const { path: p, status } of pages) {
      if (status >= 500 || status === 0) lines.push(`${p}: HTTP ${status}`);
      if (status === 404) {
        t.waitingFor(`${p} answers 404 (linked from the admin)`);
        continue;
      }
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: width === 375 ? 800 : 900 });
        await page.goto(t.base + p);
        for (const v of await t.runAxe(page)) lines.push(`${p} [${width}] ${v}`);
        await page.screenshot({ path: path.join(t.artifacts, `${shotName(who, p)}-${width}.png`), fullPage: true });
      }
    }
    lines.push(`(${who}: ${pages.length} pages: ${pages.map((x) => `${x.path} ${x.status}`).join(', ')})`);
    return pages.length;
  } finally {
    await context.close();
  }
}

export async function pageChecks(t) {
  for (const who of ['login', 'bien-tap', 'duyet', 'quan-tri']) {
    await t.check(`axe + screenshots, every admin page ${who === 'login' ? 'logged out' : `seen by ${who}`}, 1280 and 375 px`, async (lines) => {
      await checkPages(t, who, lines);
      return lines.filter((l) => !l.startsWith('(')).length === 0;
    });
  }
}
