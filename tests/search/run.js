// Runs the browser searcher under Node over a built site: one JSON line per query with the
// ranked page URLs, bytes and files fetched, and the query time.
// usage: node run.js BUILD_DIR QUERIES_FILE [--cold]
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const [dirArg, queriesFile, mode] = process.argv.slice(2);
const dir = path.resolve(dirArg);
const { Engine } = require(path.join(dir, fs.readdirSync(path.join(dir, "assets")).filter((f) => /^search\..*\.js$/.test(f)).map((f) => path.join("assets", f))[0]));
const searchDir = path.join(dir, "search");
const head = fs.readdirSync(searchDir).find((f) => /^head\.(.*\.)?json\.gz$/.test(f));
const queries = mode === "--stems" ? [] : fs.readFileSync(queriesFile, "utf8").split("\n").filter((l) => l.trim());

function engine(counter) {
  return new Engine((name) => {
    const raw = fs.readFileSync(path.join(searchDir, name));
    counter.bytes += raw.length;
    counter.files += 1;
    return Promise.resolve(new Uint8Array(zlib.gunzipSync(raw)));
  });
}

// --stems WORDS_TSV: every corpus word must resolve, through the exported dictionary, to the
// stem tantivy gave it. Prints "agree/total".
async function stems(tsv) {
  const e = await engine({ bytes: 0, files: 0 }).init(head);
  let agree = 0, total = 0;
  const bad = [];
  for (const line of fs.readFileSync(tsv, "utf8").split("\n")) {
    const [word, stem] = line.split("\t");
    if (!word) { continue; }
    total++;
    const entry = await e.entry(word);
    if (entry && entry.surface && entry.stem === stem) { agree++; } else if (bad.length < 10) { bad.push(word); }
  }
  console.log(JSON.stringify({ agree, total, bad }));
}

(async () => {
  if (mode === "--stems") { return stems(process.argv[5]); }
  let shared = null, sharedCounter = { bytes: 0, files: 0 };
  if (mode !== "--cold") { shared = await engine(sharedCounter).init(head); }
  for (const q of queries) {
    const counter = { bytes: 0, files: 0 };
    const e = shared || (await engine(counter).init(head));
    const headBytes = counter.bytes;
    const t0 = process.hrtime.bigint();
    const res = await e.search(q, {}, 10);
    const t1 = process.hrtime.bigint();
    // Round trips: files requested together count once (expansion, then postings, then fragments).
    const frags = await Promise.all(res.pages.map((p) => e.fragment(p.page)));
    const fragFiles = new Set(res.pages.slice(0, 5).map((p) => Math.floor(p.page / e.head.fragments.per)));
    let fragBytes = 0;
    for (const n of fragFiles) { fragBytes += fs.statSync(path.join(searchDir, `f/${e.head.fragments.groups[Math.floor(n / e.head.fragments.group)]}-${n}.json.gz`)).size; }
    const t2 = process.hrtime.bigint();
    console.log(JSON.stringify({
      query: q,
      partial: res.partial,
      pages: frags.map((f) => f.u),
      // A portal's merged index labels each page with its site.
      sites: frags.map((f) => f.w || ""),
      sections: res.pages.map((p, i) => p.records.map((r) => { const s = frags[i].x[r[0] - e.pageFirst[p.page]]; return s[0] ? `${frags[i].u}#${s[0]}` : frags[i].u; })),
      head_bytes: headBytes,
      index_bytes: counter.bytes - headBytes - 0,
      fragment_bytes_top5: fragBytes,
      ms: Number(t1 - t0) / 1e6,
      ms_with_fragments: Number(t2 - t0) / 1e6,
    }));
  }
})().catch((err) => { console.error(err); process.exit(1); });
