#!/usr/bin/env node
// Bytes a browser downloads to answer search queries with Pagefind, for scripts/bench-search.
//
//   node scripts/pagefind_bytes.mjs ROOT QUERIES [N]
//
// ROOT holds the Pagefind bundle as ROOT/pagefind/ (pagefind --output-path ROOT/pagefind).
// Serves ROOT on the loopback, opens a blank page in headless Chromium (CHROMIUM, default
// /usr/bin/chromium; playwright-core from tests/browser), and for the first N queries of the
// file (default 50) runs pagefind.search() and loads the first 10 results' data, as a results
// page shows them. Counts every response's transferred bytes (headers + body): the first query
// (cold: script, WebAssembly, metadata) and the mean of the others (warm: index chunks and
// fragments). Prints one JSON line.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');

const [root, queriesFile, nArg] = process.argv.slice(2);
if (!root || !queriesFile) {
  console.error('usage: pagefind_bytes.mjs ROOT QUERIES [N]');
  process.exit(2);
}
const N = Number(nArg || 50);
const queries = fs.readFileSync(queriesFile, 'utf8').split('\n').filter(Boolean).slice(0, N);
const types = { '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.css': 'text/css', '.html': 'text/html' };

const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (p === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end('<!doctype html><title>bench</title>');
  }
  const file = path.join(root, path.normalize(p));
  if (!file.startsWith(path.resolve(root)) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

// A browser that crashes (Pagefind's client takes it down on some queries) is started again,
// and the query counted as failed: its bytes are left out.
let bytes = 0;
let browser;
const open = async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  page.on('requestfinished', async (req) => {
    try {
      const s = await req.sizes();
      bytes += s.responseHeadersSize + s.responseBodySize;
    } catch {
      /* aborted */
    }
  });
  await page.goto(base + '/');
  return page;
};
let page = await open();
bytes = 0;
const per = [];
let results = 0;
let failed = 0;
for (const q of queries) {
  const before = bytes;
  try {
    results += await page.evaluate(async (q) => {
      window.pf ??= await import('/pagefind/pagefind.js');
      const s = await window.pf.search(q);
      await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
      return s.results.length;
    }, q);
    await page.waitForTimeout(20); // let requestfinished handlers run
    per.push(bytes - before);
  } catch {
    failed += 1;
    await browser.close().catch(() => {});
    page = await open();
    // The new browser loads the client again: not counted with the next query.
    bytes = before;
  }
}
await browser.close();
server.close();
const warm = per.slice(1);
const mean = warm.length ? warm.reduce((a, b) => a + b, 0) / warm.length : 0;
console.log(JSON.stringify({ queries: per.length, failed, results, first_query_bytes: per[0] ?? 0, warm_mean_bytes: Math.round(mean), total_bytes: per.reduce((a, b) => a + b, 0) }));
