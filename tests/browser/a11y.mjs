#!/usr/bin/env node
// Accessibility check of a `cms build` output in a real browser: axe-core (WCAG 2.0/2.1 A and AA)
// in headless Chromium, at 1280 and 375 pixels wide, on a sample of pages of every site.
//
//   node a11y.mjs [OUT] [--list]   OUT: the folder `cms build --out` wrote (default ../../public);
//                                  --list prints the pages it would test, and stops
//
// One local HTTP server serves every site of OUT/sites/<domain>/ by the Host header, as
// http://<domain>.localhost:PORT/, so root-relative links (/style.css, /tin-tuc/) work as they
// will on the real domains; Chromium maps *.localhost to 127.0.0.1 and resolves no other name.
//
// Pages tested, chosen from OUT/manifest.json and the pages themselves (`--list` shows them):
//   every site: its home pages (/ and /en/), every section index page (a list page with a feed:
//     /gioi-thieu/, /tin-tuc/, …; for agency sites the Vietnamese ones), and the first page (by
//     path) of each content kind, seen as the class kind-<kind> of its <article>;
//   the portal (manifest "portal": true) and the first agency site also: the first of each
//     folder of other list pages (facets such as /van-ban/nam/2022/, the site map /so-do-cong/),
//     the taxonomy index /topics/, its first term page and the 404 page (the theme is the same
//     for every site);
//   the portal also: the English version of each page tested that has one (<link rel=alternate
//     hreflang=en>), its English sections and lists, and the first English page of each kind.
// Prints every violation as `URL [width] rule-id (impact): help — targets`, the rules violated
// with their first page, what axe left for a person to review, then `N passed, M failed`
// (pages × widths without / with violations; a page that fails to load fails too). Exit code 1
// when anything failed or nothing was tested. Then the behaviour checks of behaviour.mjs
// (keyboard, display options, print), one count each. Screenshots of the portal's home, the first agency
// site's home and the portal's first legal document, at both widths, go to artifacts/.
//
// Environment: CHROMIUM (default /usr/bin/chromium); A11Y_MAX_PAGES (default 119): past that
// many pages per width, the other agency sites' pages are left out (English home pages first,
// then sections, kinds, home pages), with a warning; A11Y_ONLY=substring tests only the pages
// whose domain+path contains it. CMS_BIN (the `cms` binary): also start `cms serve` on OUT and
// test its search results pages (found, none found, empty, English, an agency site's own and
// network-wide results); their HTML is saved under OUT/sites/<domain>/search-samples/ for the
// HTML checker, and a screenshot of the portal's results goes to artifacts/.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { behaviourChecks } from './behaviour.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 375, height: 800 },
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const MAX_PAGES = Number(process.env.A11Y_MAX_PAGES || 119);
const ONLY = process.env.A11Y_ONLY || '';
const NAV_TIMEOUT_MS = 30_000;
const ARTIFACTS = path.join(here, 'artifacts');
const CMS_BIN = process.env.CMS_BIN || '';
const NOT_FOUND_PATH = '/khong-co-trang-nay/'; // no site has it: the server answers with the site's 404.html

/** An error that stops the run, told in one line. */
class Fatal extends Error {}

function die(message) {
  console.error(`a11y: error: ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// The output folder and the pages to test

const args = process.argv.slice(2);
const LIST_ONLY = args.includes('--list');
const out = path.resolve(args.find((a) => !a.startsWith('--')) || path.join(here, '..', '..', 'public'));
const manifestPath = path.join(out, 'manifest.json');
if (!fs.existsSync(manifestPath)) die(`${manifestPath} not found: build first (cms build --out ${out})`);
let manifest;
try {
  manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
} catch (e) {
  die(`${manifestPath}: ${e.message}`);
}
if (!Array.isArray(manifest.sites) || manifest.sites.length === 0) die(`${manifestPath} lists no sites`);
if (!Array.isArray(manifest.files)) die(`${manifestPath} has no "files" list`);

const sites = manifest.sites.map((s) => ({ ...s, root: path.join(out, 'sites', s.domain) }));
for (const s of sites) if (!fs.existsSync(s.root)) die(`site folder ${s.root} (of ${s.domain}) is missing`);
const portal = sites.find((s) => s.portal) || sites[0];
const agency = sites.find((s) => s !== portal);

/** URL path (`/tin-tuc/x/`) of an HTML file (`tin-tuc/x/index.html`) relative to its web root. */
function urlPath(rel) {
  if (rel === 'index.html') return '/';
  if (rel.endsWith('/index.html')) return '/' + rel.slice(0, -'index.html'.length);
  return '/' + rel;
}

/** What a page is, read from its HTML. */
function classify(site, rel) {
  const html = fs.readFileSync(path.join(site.root, rel), 'utf8');
  const kind = /<article\b[^>]*\bclass=(?:"[^"]*\bkind-([a-z][a-z0-9_-]*)|'[^']*\bkind-([a-z][a-z0-9_-]*)|kind-([a-z][a-z0-9_-]*))/i.exec(html);
  const en = /<link\b[^>]*>/gi;
  let alternateEn = null;
  for (const m of html.matchAll(en)) {
    const tag = m[0];
    if (/\bhreflang=["']?en\b/i.test(tag) && /\brel=["']?alternate\b/i.test(tag)) {
      const href = /\bhref=(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      if (href) alternateEn = href[1] ?? href[2] ?? href[3];
    }
  }
  return {
    kind: kind ? kind[1] || kind[2] || kind[3] : null,
    redirect: /<meta\b[^>]*http-equiv=["']?refresh/i.test(html),
    alternateEn,
  };
}

function selectPages() {
  const byDomain = new Map(sites.map((s) => [s.domain, { site: s, files: [], all: new Set() }]));
  for (const f of manifest.files) {
    const m = /^sites\/([^/]+)\/(.+)$/.exec(f.path);
    if (!m || !byDomain.has(m[1])) continue;
    byDomain.get(m[1]).all.add(m[2]);
    // Pages are `index.html` (and the 404 page); other HTML files are standalone copies of
    // articles for saving, which point to the real domain and are checked by vnu only.
    if (m[2].endsWith('index.html') || m[2] === '404.html') byDomain.get(m[1]).files.push(m[2]);
  }
  const chosen = []; // { site, path, why, tier }: the lower the tier, the sooner it is kept
  const seen = new Set();
  const add = (site, p, why, tier) => {
    const key = site.domain + p;
    if (seen.has(key)) return;
    seen.add(key);
    chosen.push({ site, path: p, why, tier });
  };
  for (const { site, files, all } of byDomain.values()) {
    files.sort();
    const isPortal = site === portal;
    const full = isPortal || site === agency; // the sites whose every kind of page is tested
    const tier = (t) => (full ? 0 : t);
    const info = new Map(files.map((rel) => [rel, classify(site, rel)]));
    const isEn = (rel) => rel === 'en/index.html' || rel.startsWith('en/');
    const isTaxonomy = (rel) => /^(en\/)?topics\//.test(rel);
    const isLaterPage = (rel) => /(^|\/)page\/\d+\/index\.html$/.test(rel);
    const dir = (rel) => rel.slice(0, -'index.html'.length);
    const hasFeed = (rel) => all.has(dir(rel) + 'rss.xml') || all.has(dir(rel) + 'atom.xml');

    if (files.includes('index.html')) add(site, '/', 'home', tier(1));
    if (files.includes('en/index.html')) add(site, '/en/', 'home (en)', tier(4));
    // Section index pages: the list pages with a feed (a section's _index.md); Vietnamese ones,
    // and the English ones on the portal.
    const lists = files.filter((rel) => {
      const i = info.get(rel);
      return rel.endsWith('index.html') && !i.kind && !i.redirect && !isTaxonomy(rel) && !isLaterPage(rel) && (isPortal || !isEn(rel));
    });
    for (const rel of lists) if (hasFeed(rel)) add(site, urlPath(rel), 'section', tier(3));
    // Other list pages (facets such as /van-ban/nam/2022/, the site map /so-do-cong/): the first
    // of each folder, on the portal and the first agency site.
    if (full) {
      const groups = new Set();
      for (const rel of lists) {
        if (hasFeed(rel)) continue;
        const group = dir(rel).replace(/[^/]+\/$/, '');
        if (groups.has(group)) continue;
        groups.add(group);
        add(site, urlPath(rel), 'list', 0);
      }
    }
    // The first page of each kind (Vietnamese; for the portal English too).
    for (const en of isPortal ? [false, true] : [false]) {
      const firsts = new Map();
      for (const rel of files) {
        const i = info.get(rel);
        if (!i.kind || i.redirect || isEn(rel) !== en || firsts.has(i.kind)) continue;
        firsts.set(i.kind, rel);
      }
      for (const [kind, rel] of firsts) add(site, urlPath(rel), `kind-${kind}${en ? ' (en)' : ''}`, tier(2));
    }
    if (full) {
      for (const prefix of isPortal ? ['', 'en/'] : ['']) {
        const index = `${prefix}topics/index.html`;
        if (files.includes(index)) add(site, urlPath(index), 'taxonomy', 0);
        const term = files.find((rel) => rel.startsWith(`${prefix}topics/`) && rel !== index && !isLaterPage(rel));
        if (term) add(site, urlPath(term), 'taxonomy term', 0);
      }
      if (files.includes('404.html')) add(site, NOT_FOUND_PATH, '404', 0);
    }
    // The portal's English versions of the pages chosen so far.
    if (isPortal) {
      for (const c of chosen.filter((c) => c.site === site && !c.path.startsWith('/en/') && c.why !== '404')) {
        const rel = c.path === '/' ? 'index.html' : c.path.endsWith('/') ? c.path.slice(1) + 'index.html' : c.path.slice(1);
        const alt = info.get(rel)?.alternateEn;
        if (!alt) continue;
        let p;
        try {
          const u = new URL(alt, `https://${site.domain}${c.path}`);
          if (u.hostname !== site.domain && !(site.aliases || []).includes(u.hostname)) continue;
          p = decodeURIComponent(u.pathname);
        } catch {
          continue;
        }
        const target = p.endsWith('/') ? p.slice(1) + 'index.html' : p.slice(1);
        if (files.includes(target)) add(site, p, `${c.why} → en`, 0);
        else console.log(`warning: ${site.domain}${c.path} names an English version ${alt} that is not in the output`);
      }
    }
  }
  let pages = chosen.filter((c) => !ONLY || `${c.site.domain}${c.path}`.includes(ONLY));
  if (pages.length > MAX_PAGES) {
    // Keep the portal's and the first agency site's pages, then the other sites' home pages,
    // pages of each kind, sections and English home pages, as many as fit.
    const keep = new Set([...pages].sort((a, b) => a.tier - b.tier).slice(0, MAX_PAGES));
    console.log(`warning: ${pages.length} pages chosen, more than A11Y_MAX_PAGES=${MAX_PAGES}: ${pages.length - keep.size} left out`);
    pages = pages.filter((c) => keep.has(c));
  }
  // The behaviour checks use the portal's legal document even when it is left out here.
  pages.legal = chosen.find((c) => c.site === portal && c.why === 'kind-legal');
  return pages;
}

// ---------------------------------------------------------------------------------------------
// A static server for every site, chosen by the Host header

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

const missing = []; // requests the server answered 404, other than the 404 check itself

function startServer() {
  const roots = new Map();
  for (const s of sites) {
    roots.set(`${s.domain}.localhost`, s.root);
    for (const a of s.aliases || []) roots.set(`${a}.localhost`, s.root);
  }
  const server = http.createServer(async (req, res) => {
    const host = (req.headers.host || '').replace(/:\d+$/, '').toLowerCase();
    const root = roots.get(host);
    const send = (status, type, body, headers = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!root) return send(421, 'text/plain; charset=utf-8', `no site for host ${host}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'GET only\n');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname).normalize('NFC');
    } catch {
      return send(400, 'text/plain; charset=utf-8', 'bad path\n');
    }
    const file = path.join(root, pathname);
    if (file !== root && !file.startsWith(root + path.sep)) return send(403, 'text/plain; charset=utf-8', 'outside the site\n');
    try {
      let st = await fsp.stat(file).catch(() => null);
      let target = file;
      if (st && st.isDirectory()) {
        if (!pathname.endsWith('/')) {
          const u = new URL(req.url, 'http://x');
          return send(301, 'text/plain; charset=utf-8', '', { location: u.pathname + '/' + u.search });
        }
        target = path.join(file, 'index.html');
        st = await fsp.stat(target).catch(() => null);
      }
      if (st && st.isFile()) {
        const type = TYPES[path.extname(target).toLowerCase()] || 'application/octet-stream';
        return send(200, type, await fsp.readFile(target));
      }
      if (pathname !== NOT_FOUND_PATH && pathname !== '/favicon.ico') missing.push(`http://${req.headers.host}${req.url}`);
      const notFound = path.join(root, '404.html');
      if (fs.existsSync(notFound)) return send(404, TYPES['.html'], await fsp.readFile(notFound));
      return send(404, 'text/plain; charset=utf-8', 'not found\n');
    } catch (e) {
      return send(500, 'text/plain; charset=utf-8', `${e.message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---------------------------------------------------------------------------------------------
// The browser

async function launchBrowser(userDataDir) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new Fatal(`playwright-core is not installed (run scripts/browser-setup): ${e.message}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Fatal(`Chromium not found at ${CHROMIUM} (run scripts/browser-setup, or set CHROMIUM)`);
  try {
    // launchPersistentContext is the only way to give Chromium our own --user-data-dir.
    return await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 60_000,
      viewport: WIDTHS[0],
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        // Every site is <domain>.localhost on the loopback; no other name resolves.
        '--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP * ~NOTFOUND',
      ],
    });
  } catch (e) {
    const lines = e.message.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.replace(/^\s*-\s*/, ''));
    const said = [...new Set(lines.filter((l) => /\[err\]/.test(l)))].slice(0, 10);
    throw new Fatal(`Chromium (${CHROMIUM}) did not start: ${lines[0]}${said.length ? '\n' + said.join('\n') : ''}`);
  }
}

const axePath = (() => {
  try {
    return require.resolve('axe-core/axe.min.js');
  } catch (e) {
    return die(`axe-core is not installed (run scripts/browser-setup): ${e.message}`);
  }
})();
const axeVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(axePath), 'package.json'), 'utf8')).version;

const axeSource = fs.readFileSync(axePath, 'utf8');

async function runAxe(page) {
  // Evaluated through the DevTools protocol, not added as a <script>: the pages of `cms serve`
  // send a Content-Security-Policy that blocks inline scripts, and must keep it under test.
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    if (typeof axe === 'undefined' || typeof axe.run !== 'function') throw new Error('axe-core did not load in the page');
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return {
      version: r.testEngine?.version,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        targets: v.nodes.map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : t)).join(' >>> ')),
      })),
      // What axe could not decide (e.g. contrast over a background image): for a person to look at.
      incomplete: r.incomplete.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.length })),
    };
  }, AXE_TAGS);
}

function screenshotName(c) {
  if (c.site === portal && c.path === '/') return 'portal-home';
  if (c.site === agency && c.path === '/') return 'agency-home';
  if (c.site === portal && c.why === 'kind-legal') return 'portal-legal';
  if (c.site === portal && c.save === 'found') return 'portal-search';
  return null;
}

// ---------------------------------------------------------------------------------------------
// `cms serve`, for the search pages

async function startCmsServe() {
  const child = spawn(CMS_BIN, ['serve', '--out', out, '--addr', '127.0.0.1:0', '--rate-limit', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Fatal(`cms serve did not start within 30 s:\n${log}`)), 30_000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /http:\/\/[a-z0-9.-]+\.localhost:(\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('error', (e) => reject(new Fatal(`could not run ${CMS_BIN}: ${e.message}`)));
    child.on('exit', (code) => reject(new Fatal(`cms serve exited (${code}):\n${log}`)));
  });
  return { child, port };
}

function searchCases(cmsPort) {
  const q = (s) => encodeURIComponent(s);
  const cases = [
    { site: portal, path: `/search/?q=${q('kế hoạch chuyển đổi số')}`, why: 'search', save: 'found' },
    { site: portal, path: '/search/', why: 'search: empty', save: 'empty' },
    { site: portal, path: `/search/?q=${q('zzqxwv')}`, why: 'search: none found', save: 'none' },
    { site: portal, path: `/search/?q=${q('giao thông')}&kind=news&sort=date&page=2`, why: 'search: filtered, page 2', save: 'filtered' },
  ];
  if (portal.languages?.includes('en')) cases.push({ site: portal, path: '/en/search/?q=transport', why: 'search (en)', save: 'en' });
  if (agency) {
    cases.push({ site: agency, path: `/search/?q=${q('tin tức')}`, why: 'search: agency', save: 'agency' });
    cases.push({ site: agency, path: `/search/?q=${q('chuyển đổi số')}&scope=all`, why: 'search: agency, network', save: 'agency-all' });
  }
  return cases.map((c) => ({ ...c, port: cmsPort }));
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const t0 = Date.now();
  const pages = selectPages();
  if (LIST_ONLY) {
    for (const c of pages) console.log(`${c.site.domain}${c.path}\t${c.why}`);
    console.log(`${pages.length} pages`);
    return;
  }
  if (pages.length === 0) die(`no page to test in ${out}${ONLY ? ` matching A11Y_ONLY=${ONLY}` : ''}`);

  const server = await startServer();
  const port = server.address().port;
  let cmsServe = null;
  if (CMS_BIN && !ONLY) {
    cmsServe = await startCmsServe();
    pages.push(...searchCases(cmsServe.port));
    console.log(`a11y: cms serve on port ${cmsServe.port} for the search pages`);
  }
  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'a11y-chromium-'));
  let context;
  let passed = 0;
  let failed = 0;
  try {
    context = await launchBrowser(userDataDir);
    const browserVersion = context.browser()?.version() ?? '?';
    console.log(`a11y: ${pages.length} pages × ${WIDTHS.length} widths, ${sites.length} sites, Chromium ${browserVersion}, axe-core ${axeVersion}, tags ${AXE_TAGS.join(',')}`);
    console.log(`a11y: serving ${out}/sites/<domain>/ as http://<domain>.localhost:${port}/`);
    await fsp.mkdir(ARTIFACTS, { recursive: true });

    // One tab per width, run side by side.
    const tabs = [];
    for (const size of WIDTHS) {
      const page = await context.newPage();
      await page.setViewportSize(size);
      page.setDefaultTimeout(NAV_TIMEOUT_MS);
      const problems = [];
      page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 404/.test(m.text())) problems.push(`console error: ${m.text()}`);
      });
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
      tabs.push({ page, size, problems });
    }
    // The closing page list, for a stable order in the output.
    const results = new Map();
    await Promise.all(
      tabs.map(async ({ page, size, problems }) => {
        for (const c of pages) {
          const url = `http://${c.site.domain}.localhost:${c.port ?? port}${c.path}`;
          const key = `${c.site.domain}${c.path} [${size.width}]`;
          problems.length = 0;
          const r = { url, width: size.width, lines: [], ok: true };
          results.set(key, r);
          try {
            const resp = await page.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
            const status = resp ? resp.status() : 0;
            const expected = c.why === '404' ? 404 : 200;
            if (status !== expected) {
              r.ok = false;
              r.lines.push(`${url} [${size.width}] load: HTTP ${status}, expected ${expected}`);
            }
            if (c.save && resp && size === WIDTHS[0]) {
              const dir = path.join(out, 'sites', c.site.domain, 'search-samples');
              await fsp.mkdir(dir, { recursive: true });
              await fsp.writeFile(path.join(dir, `${c.save}.html`), await resp.text());
            }
            const axeResult = await runAxe(page);
            for (const v of axeResult.violations) {
              r.ok = false;
              const shown = v.targets.slice(0, 6).join(', ') + (v.targets.length > 6 ? `, … (${v.targets.length} elements)` : '');
              r.lines.push(`${url} [${size.width}] ${v.id} (${v.impact}): ${v.help} — ${shown}`);
            }
            r.violations = axeResult.violations;
            r.incomplete = axeResult.incomplete;
            const shot = screenshotName(c);
            if (shot) await page.screenshot({ path: path.join(ARTIFACTS, `${shot}-${size.width}.png`), fullPage: true });
          } catch (e) {
            r.ok = false;
            r.error = true;
            r.lines.push(`${url} [${size.width}] error: ${e.message.split('\n')[0]}`);
          }
          for (const p of problems) console.log(`warning: ${url} [${size.width}] ${p}`);
        }
      }),
    );
    for (const c of pages) {
      for (const size of WIDTHS) {
        const r = results.get(`${c.site.domain}${c.path} [${size.width}]`);
        if (!r) continue;
        for (const line of r.lines) console.log(line);
        if (r.ok) passed++;
        else failed++;
      }
    }
    for (const u of [...new Set(missing)]) console.log(`warning: not found: ${u}`);

    // Keyboard, display options and print (behaviour.mjs), unless only some pages were asked for.
    if (!ONLY) {
      const checks = await behaviourChecks({
        context,
        portal,
        agency,
        legalPath: pages.legal?.path,
        url: (site, p) => `http://${site.domain}.localhost:${port}${p}`,
        runAxe,
        artifacts: ARTIFACTS,
      });
      for (const c of checks) {
        console.log(`${c.ok ? 'ok' : 'FAILED'}: ${c.name}`);
        for (const line of c.lines) console.log(`  ${line}`);
        if (c.ok) passed++;
        else failed++;
      }
    }

    // Which rules failed, and where first.
    const byRule = new Map();
    for (const r of results.values()) {
      for (const v of r.violations || []) {
        const e = byRule.get(v.id) || { v, pages: 0, nodes: 0, first: `${r.url} [${r.width}]` };
        e.pages++;
        e.nodes += v.targets.length;
        byRule.set(v.id, e);
      }
    }
    if (byRule.size) {
      console.log(`\na11y: ${byRule.size} distinct rules violated:`);
      for (const [id, e] of [...byRule].sort((a, b) => b[1].pages - a[1].pages)) {
        console.log(`  ${id} (${e.v.impact}) on ${e.pages} page loads, ${e.nodes} elements: ${e.v.help} — first ${e.first} — ${e.v.helpUrl}`);
      }
    }
    const review = new Map();
    for (const r of results.values()) {
      for (const v of r.incomplete || []) {
        const e = review.get(v.id) || { help: v.help, pages: 0, first: `${r.url} [${r.width}]` };
        e.pages++;
        review.set(v.id, e);
      }
    }
    if (review.size) {
      console.log(`a11y: needs review by a person (axe could not decide; not failures):`);
      for (const [id, e] of [...review].sort((a, b) => b[1].pages - a[1].pages)) {
        console.log(`  ${id} on ${e.pages} page loads: ${e.help} — first ${e.first}`);
      }
    }
    console.log(`a11y: ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), ARTIFACTS) || ARTIFACTS}`);
  } finally {
    if (context) await context.close().catch(() => {});
    server.close();
    if (cmsServe) cmsServe.child.kill('SIGTERM');
    await fsp.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

main().catch((e) => die(e instanceof Fatal ? e.message : e.stack || e.message));
