#!/usr/bin/env node
// The web editor at /admin in a real browser (headless Chromium through playwright-core), against
// a real `cms serve --content <bare repository of the demo content>` on a free loopback port,
// with users made by `cms user add`:
//
//   - the Markdown editor (CodeMirror 6): it replaces the body's textarea, styled under the
//     admin's CSP with no violation reported, labelled, Tab leaves it, its toolbar works, and
//     Vietnamese typed through a simulated input method (Telex, VNI: CDP Input.imeSetComposition
//     then Input.insertText) arrives exactly, NFC, with nothing lost or doubled — in the editor
//     and in a plain input (admin/editor-checks.mjs);
//   - the editorial flow: an agency editor creates a news item (title typed through the input
//     method, an image with its description, the preview updating, a validation error shown
//     inline and fixed), submits; the agency's approver reviews the diff and publishes; the page
//     is served on the agency's site and its commit names the editor; a second editor's stale
//     save shows the conflict; another agency's editor cannot see the draft; the create → submit
//     flow again with the keyboard alone (admin/flow-checks.mjs);
//   - axe-core (WCAG 2.0/2.1 A and AA) on every admin page at 1280 and 375 px, with a screenshot
//     of each into artifacts/admin/ (admin/pages.mjs).
//
//   CMS_BIN=target/debug/cms node tests/browser/admin.mjs
//
// A check whose page is not there yet (the server answers 404 for its route) is reported as
// waiting, not passed. Ends with `N passed, M failed` (waiting checks listed before it); exit
// code 1 when anything failed. Environment: CHROMIUM (default /usr/bin/chromium), CMS_BIN,
// ADMIN_ONLY=substring runs only the checks whose name contains it, ADMIN_KEEP=1 keeps the
// scratch folder (the repository, the database, the build) and prints where it is.

import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { editorChecks } from './admin/editor-checks.mjs';
import { flowChecks } from './admin/flow-checks.mjs';
import { pageChecks } from './admin/pages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CMS_BIN = path.resolve(root, process.env.CMS_BIN || 'target/debug/cms');
const ONLY = process.env.ADMIN_ONLY || '';
const ARTIFACTS = path.join(here, 'artifacts', 'admin');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** A problem that stops the run, told in one line. */
class Fatal extends Error {}

/** The users of the run: login → { password, name, role }. */
const USERS = {
  'bien-tap': { name: 'Nguyễn Thị Biên Tập', role: 'drvn:editor' },
  'bien-tap-2': { name: 'Trần Văn Hai', role: 'drvn:editor' },
  duyet: { name: 'Lê Văn Duyệt', role: 'drvn:approver' },
  'mt-bien-tap': { name: 'Phạm Bộ Giao Thông', role: 'mt:editor' },
  'quan-tri': { name: 'Quản Trị Mạng', role: '*:network_admin' },
};

function git(cwd, ...args) {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The demo content as one commit in a bare repository, as `CMS=1 scripts/demo` makes it. */
function makeRepo(scratch) {
  const work = path.join(scratch, 'work');
  fs.cpSync(path.join(root, 'content'), work, { recursive: true });
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '-A');
  git(work, '-c', 'user.name=Ban biên tập', '-c', 'user.email=bbt@mt.gov.vn', 'commit', '-q', '-m', 'Nội dung minh họa (demo content)');
  const repo = path.join(scratch, 'content.git');
  git(scratch, 'clone', '-q', '--bare', work, repo);
  fs.rmSync(work, { recursive: true, force: true });
  return repo;
}

function addUsers(out) {
  for (const [login, u] of Object.entries(USERS)) {
    u.login = login;
    u.password = crypto.randomBytes(12).toString('base64url');
    execFileSync(CMS_BIN, ['user', 'add', login, '--name', u.name, '--email', `${login}@mt.gov.vn`, '--role', u.role, '--password-stdin', '--out', out], {
      input: `${u.password}\n`,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  }
}

/** `cms serve --content` on a free port; resolves when it answers and its first build is live. */
async function startServer(repo, out) {
  const child = spawn(CMS_BIN, ['serve', '--content', repo, '--themes', path.join(root, 'themes'), '--out', out, '--addr', '127.0.0.1:0', '--rate-limit', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Fatal(`cms serve did not start within 120 s:\n${log.slice(-3000)}`)), 120_000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /http:\/\/[a-z0-9.-]+\.localhost:(\d+)\//.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('error', (e) => reject(new Fatal(`could not run ${CMS_BIN}: ${e.message}`)));
    child.on('exit', (code) => reject(new Fatal(`cms serve exited (${code}):\n${log.slice(-3000)}`)));
  });
  const base = `http://localhost:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/api/v1/live`);
      const live = r.ok ? await r.json() : null;
      if (live && (live.commit || live.built || live.last_build)) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Fatal(`cms serve's first build did not finish within 180 s:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { child, port, base, log: () => log };
}

async function launchBrowser(userDataDir) {
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    throw new Fatal(`playwright-core is not installed (run scripts/browser-setup): ${e.message}`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Fatal(`Chromium not found at ${CHROMIUM} (run scripts/browser-setup, or set CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1, MAP * ~NOTFOUND'],
  });
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page, each as one line. */
async function runAxe(page) {
  // Through the DevTools protocol, not a <script>: the admin's CSP must stay as it is.
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
  }, AXE_TAGS);
}

/** A page waiting for a route another part of the work has not delivered yet. */
class Waiting extends Error {}

async function main() {
  if (!fs.existsSync(CMS_BIN)) throw new Fatal(`${CMS_BIN} not found: build it (cargo build --bin cms) or set CMS_BIN`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cms-admin-'));
  const out = path.join(scratch, 'public');
  let server, browser;
  const counts = { passed: 0, failed: 0, waiting: [] };
  try {
    const repo = makeRepo(scratch);
    fs.mkdirSync(out, { recursive: true });
    addUsers(out);
    server = await startServer(repo, out);
    console.log(`cms serve --content on ${server.base} (scratch ${scratch})`);
    browser = await launchBrowser(path.join(scratch, 'chromium'));
    fs.mkdirSync(ARTIFACTS, { recursive: true });

    /** Runs one named check: `fn(lines)` returns true when it passed; lines say why not. */
    const check = async (name, fn) => {
      if (ONLY && !name.includes(ONLY)) return;
      const lines = [];
      let ok = false;
      const t0 = Date.now();
      try {
        ok = await fn(lines);
      } catch (e) {
        if (e instanceof Waiting) {
          counts.waiting.push(`${name}: ${e.message}`);
          console.log(`WAIT ${name}: ${e.message}`);
          return;
        }
        lines.push(String(e.stack || e).split('\n').slice(0, 6).join('\n'));
      }
      counts[ok ? 'passed' : 'failed'] += 1;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${Date.now() - t0} ms)`);
      for (const l of lines) console.log(`     ${l}`);
    };
    const wants = (prefix) => !ONLY || ONLY.startsWith(prefix) || prefix.startsWith(ONLY) || ONLY.includes(prefix);
    const waitingFor = (what) => { if (!counts.waiting.includes(what)) counts.waiting.push(what); };
    const t = { wants, waitingFor, browser, base: server.base, users: USERS, root, repo, out, artifacts: ARTIFACTS, check, runAxe, Waiting, git };
    await editorChecks(t);
    await flowChecks(t);
    await pageChecks(t);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) server.child.kill('SIGTERM');
    if (process.env.ADMIN_KEEP === '1') console.log(`kept: ${scratch}`);
    else fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (counts.waiting.length) console.log(`waiting for pages not there yet:\n  ${counts.waiting.join('\n  ')}`);
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  return counts.failed === 0 && counts.passed > 0;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(`admin: error: ${e instanceof Fatal ? e.message : e.stack || e}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
