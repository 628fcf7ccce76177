// Bundles src/editor.js (and CodeMirror) into one minified script: node build.mjs OUTFILE.
//
// One change to a dependency, made here as the bundle is built: style-mod (CodeMirror's CSS
// injector) puts its rules in a constructed style sheet (document.adoptedStyleSheets) only for
// shadow roots, and in a <style> element for a document, which the admin's CSP
// (`style-src 'self'`, no 'unsafe-inline') refuses. Constructed sheets are not inline styles
// under CSP; Chromium ≥ 99, Firefox ≥ 101 and Safari ≥ 16.4 adopt them on a document too, so the
// test that keeps <style> for documents is dropped (older browsers still fall back to <style>,
// and get the editor unstyled but working). The browser test checks that no CSP violation is
// reported and that CodeMirror's styles apply.
import fs from "node:fs";
import * as esbuild from "esbuild";

const outfile = process.argv[2];
if (!outfile) {
  console.error("usage: node build.mjs OUTFILE");
  process.exit(2);
}

const NEEDLE = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {";

const adoptOnDocuments = {
  name: "style-mod-adopt-on-documents",
  setup(build) {
    build.onLoad({ filter: /[\\/]style-mod[\\/]src[\\/]style-mod\.js$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, "utf8");
      if (!src.includes(NEEDLE)) throw new Error(`style-mod changed: "${NEEDLE}" not found in ${args.path}; review build.mjs`);
      return { contents: src.replace(NEEDLE, "if (root.adoptedStyleSheets && win.CSSStyleSheet) {"), loader: "js" };
    });
  },
};

await esbuild.build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome100", "firefox100", "safari15"],
  legalComments: "none",
  logLevel: "warning",
  outfile,
  plugins: [adoptOnDocuments],
});
