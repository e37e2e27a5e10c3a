// Measures Pagefind's browser cost for the same one-word queries, cold (a fresh process state
// per query): every byte fetched (entry, meta, wasm, index chunks, top-5 fragments; gzipped as
// Pagefind writes them) plus pagefind.js gzipped. Runs Pagefind's own pagefind.js under Node
// with a fetch that reads the files and counts bytes.
// usage: node pagefind-measure.mjs PAGEFIND_DIR QUERIES_FILE
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import os from "node:os";

const [pfDir, queriesFile] = process.argv.slice(2).map((p) => path.resolve(p));
const queries = fs.readFileSync(queriesFile, "utf8").split("\n").filter((l) => l.trim());
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pfm-"));
const jsGz = zlib.gzipSync(fs.readFileSync(path.join(pfDir, "pagefind.js")), { level: 9 }).length;
let counter = null;
globalThis.fetch = async (url) => {
  const u = new URL(url);
  const file = path.join(pfDir, decodeURIComponent(u.pathname.replace(/^\/pagefind\//, "")));
  const bytes = fs.readFileSync(file);
  if (counter) { counter.bytes += bytes.length; counter.files += 1; }
  return new Response(bytes, { status: 200 });
};
const rows = [];
for (const [i, q] of queries.entries()) {
  // A fresh module instance per query: nothing cached.
  const copy = path.join(tmp, `pagefind-${i}.mjs`);
  fs.copyFileSync(path.join(pfDir, "pagefind.js"), copy);
  counter = { bytes: 0, files: 0 };
  globalThis.Worker = undefined;
  const pf = await import(copy);
  await pf.options({ basePath: "http://site.test/pagefind/" });
  const t0 = performance.now();
  const res = await pf.search(q);
  await Promise.all(res.results.slice(0, 5).map((r) => r.data()));
  rows.push({ q, bytes: counter.bytes + jsGz, ms: performance.now() - t0, n: res.results.length });
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const worst = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
console.log(`first query, all bytes (pagefind.js gzipped + entry + meta + wasm + chunks + top-5 fragments; no UI): median ${(med(rows.map((r) => r.bytes)) / 1024).toFixed(1)} KB, worst ${(worst.bytes / 1024).toFixed(1)} KB ("${worst.q}")`);
console.log(`queries with no result: ${rows.filter((r) => !r.n).length} of ${rows.length}`);
fs.rmSync(tmp, { recursive: true, force: true });
