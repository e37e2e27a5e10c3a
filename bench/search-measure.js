// Measures the browser searcher over a built site: bytes fetched for a first query (gzipped,
// everything included: searcher JS + CSS, head, shards, word packs, top-5 fragment packs), round
// trips after typing, and query time. Every query starts cold (a fresh engine, nothing cached).
// usage: node search-measure.js BUILD_DIR QUERIES_FILE
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const dir = path.resolve(process.argv[2]);
const queries = fs.readFileSync(process.argv[3], "utf8").split("\n").filter((l) => l.trim());
const assets = fs.readdirSync(path.join(dir, "assets"));
const jsFile = path.join(dir, "assets", assets.find((f) => /^search\..*\.js$/.test(f)));
const cssFile = path.join(dir, "assets", assets.find((f) => /^search\..*\.css$/.test(f)));
const gz = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const uiBytes = gz(jsFile) + gz(cssFile);
const { Engine } = require(jsFile);
const searchDir = path.join(dir, "search");
const head = fs.readdirSync(searchDir).find((f) => /^head\.(.*\.)?json\.gz$/.test(f));

// A loader that answers after a simulated network delay and records, per file, its round trip:
// one more than the latest round trip finished when it was requested.
function loader(stats) {
  let finished = 0;
  return (name) => {
    const round = finished + 1;
    const raw = fs.readFileSync(path.join(searchDir, name));
    stats.bytes += raw.length;
    stats.files.push(name);
    stats.rounds = Math.max(stats.rounds, round);
    return new Promise((r) => setTimeout(() => { finished = Math.max(finished, round); r(new Uint8Array(zlib.gunzipSync(raw))); }, 5));
  };
}

function pct(list, p) {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

(async () => {
  const rows = [];
  for (const q of queries) {
    const stats = { bytes: 0, files: [], rounds: 0 };
    const e = new Engine(loader(stats));
    await e.init(head);
    const headRounds = stats.rounds;
    const res = await e.search(q, {}, 10);
    await Promise.all(res.pages.slice(0, 5).map((p) => e.fragment(p.page)));
    // CPU time of the same query with everything loaded (warm), best of 3.
    const warm = new Engine((name) => Promise.resolve(new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(searchDir, name))))));
    await warm.init(head);
    await warm.search(q, {}, 10);
    let ms = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      await warm.search(q, {}, 10);
      ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push({ q, bytes: stats.bytes + uiBytes, rounds: stats.rounds - headRounds, ms, results: res.pages.length });
  }
  const kb = (b) => (b / 1024).toFixed(1);
  const bytes = rows.map((r) => r.bytes);
  const worst = rows.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  console.log(`queries: ${rows.length} one-word queries, every one cold`);
  console.log(`searcher JS + CSS (gzipped): ${kb(uiBytes)} KB`);
  console.log(`first query, all bytes (gzipped): median ${kb(pct(bytes, 50))} KB, worst ${kb(worst.bytes)} KB ("${worst.q}")`);
  console.log(`round trips after typing (head loaded on focus): median ${pct(rows.map((r) => r.rounds), 50)}, worst ${Math.max(...rows.map((r) => r.rounds))}`);
  console.log(`query time in JS (warm): p50 ${pct(rows.map((r) => r.ms), 50).toFixed(2)} ms, p95 ${pct(rows.map((r) => r.ms), 95).toFixed(2)} ms`);
  console.log(`queries with no result: ${rows.filter((r) => !r.results).length}`);
})().catch((e) => { console.error(e); process.exit(1); });
