#!/usr/bin/env node
// HTML validation of a `cms build` output with the Nu HTML Checker (vnu.jar from the pinned
// vnu-jar package, run with the machine's Java), every HTML file of every site in one JVM.
//
//   node validate.mjs [OUT]    OUT: the folder `cms build --out` wrote (default ../../public)
//
// Prints every error as `sites/<domain>/<path>:line:col: error: message`, then the distinct
// messages with their counts and first file, then `vnu: F files, P passed, E failed (N errors)`.
// Exit code 1 when there is any error, when vnu did not check every HTML file, or when there is
// no HTML file at all. Environment: JAVA (default java), VNU_JAVA_OPTS (default -Xss4m -Xmx1g:
// vnu overflows the default stack, and 512k is still too little with Java 17).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = path.resolve(process.argv[2] || path.join(here, '..', '..', 'public'));
const root = path.join(out, 'sites');
const HTML = /\.(html?|xhtml?|xht)$/i; // what vnu --skip-non-html checks

function die(message) {
  console.error(`validate: error: ${message}`);
  console.log('vnu: 0 files, 0 passed, 1 failed');
  process.exit(1);
}

if (!fs.existsSync(root)) die(`${root} not found: build first (cms build --out ${out})`);
let jar;
try {
  jar = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
} catch (e) {
  die(`vnu-jar is not installed (run scripts/browser-setup): ${e.message}`);
}
if (!fs.existsSync(jar)) die(`${jar} is missing (run scripts/browser-setup)`);

const files = fs
  .readdirSync(root, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && HTML.test(d.name) && !d.name.startsWith('.'))
  .map((d) => path.join(d.parentPath ?? d.path, d.name));
if (files.length === 0) die(`no HTML file under ${root}`);

const java = process.env.JAVA || 'java';
const javaOpts = (process.env.VNU_JAVA_OPTS || '-Xss4m -Xmx1g').split(/\s+/).filter(Boolean);
const args = [...javaOpts, '-jar', jar, '--errors-only', '--format', 'json', '--skip-non-html', '--verbose', root];
const t0 = Date.now();
const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
let stdout = '';
let stderr = '';
child.stdout.on('data', (d) => (stdout += d));
child.stderr.on('data', (d) => (stderr += d));
child.on('error', (e) => die(`could not run ${java}: ${e.message} (Java 11 or later is needed)`));
const code = await new Promise((resolve) => child.on('close', resolve));
const seconds = ((Date.now() - t0) / 1000).toFixed(1);

// --verbose names every file checked on stdout; the JSON report is on stderr, possibly after
// lines that are not JSON (such as "Picked up JAVA_TOOL_OPTIONS").
const checked = new Set(stdout.split('\n').filter((l) => HTML.test(l.trim())).map((l) => path.resolve(l.trim())));
const start = stderr.indexOf('{"');
let report;
try {
  report = JSON.parse(stderr.slice(start));
} catch {
  die(`vnu (exit code ${code}) gave no report:\n${stderr.slice(0, 2000)}`);
}

const rel = (url) => {
  let p = url;
  try {
    p = fileURLToPath(url);
  } catch {
    /* not a file: URL */
  }
  return path.relative(out, p);
};
const errors = report.messages.filter((m) => m.type === 'error' || m.type === 'non-document-error');
const failedFiles = new Set();
const distinct = new Map();
for (const m of errors) {
  const file = rel(m.url || '');
  failedFiles.add(file);
  const line = m.lastLine ?? m.firstLine ?? 0;
  const col = m.firstColumn ?? m.lastColumn ?? 0;
  console.log(`${file}:${line}:${col}: error: ${m.message}${m.extract ? `  [${m.extract.replace(/\s+/g, ' ').trim()}]` : ''}`);
  const d = distinct.get(m.message) || { count: 0, files: new Set(), first: `${file}:${line}:${col}` };
  d.count++;
  d.files.add(file);
  distinct.set(m.message, d);
}
if (distinct.size) {
  console.log(`\nvnu: ${distinct.size} distinct error messages:`);
  for (const [message, d] of [...distinct].sort((a, b) => b[1].count - a[1].count)) {
    console.log(`  ${d.count}× in ${d.files.size} files: ${message} — first ${d.first}`);
  }
}

const unchecked = files.filter((f) => !checked.has(path.resolve(f)));
let ok = errors.length === 0;
if (unchecked.length) {
  ok = false;
  console.log(`validate: vnu did not check ${unchecked.length} of ${files.length} HTML files, e.g. ${path.relative(out, unchecked[0])}`);
}
if (code !== 0 && errors.length === 0) {
  ok = false;
  console.log(`validate: vnu exited with code ${code} without reporting an error:\n${stderr.slice(0, 2000)}`);
}
const failed = unchecked.length + failedFiles.size;
console.log(`validate: vnu ${report.version ?? '?'}, ${seconds} s, ${errors.length} errors`);
console.log(`vnu: ${files.length} files, ${files.length - failed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
