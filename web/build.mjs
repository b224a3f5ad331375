// Bundles the UI with esbuild: src/main.js and what it imports (the page modules, YASGUI,
// Cytoscape, the style sheets) into OUTDIR as app.js and app.css, plus the chunks loaded only
// by the pages that need them, and index.html beside them. build.rs runs it for the binary; `npm run build` puts it in dist/.
//
//   node build.mjs OUTDIR
import { build } from "esbuild";
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const outdir = process.argv[2];
if (!outdir) {
  console.error("usage: node build.mjs OUTDIR");
  process.exit(2);
}
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { app: "src/main.js" },
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: ["chrome110", "firefox110", "safari16"],
  outdir,
  chunkNames: "chunk-[hash]",
  assetNames: "asset-[hash]",
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".svg": "file", ".png": "file" },
  legalComments: "linked",
  logLevel: "warning",
});
copyFileSync("index.html", join(outdir, "index.html"));
