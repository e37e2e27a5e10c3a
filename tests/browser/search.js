// Drives headless Chromium over the DevTools protocol: serves a built site under a subpath,
// types a query into the search box, checks the first result, follows it with the keyboard to
// the heading, and fails on any console error or uncaught exception.
// usage: node --experimental-websocket search.js CHROMIUM SITE_DIR QUERY EXPECTED_TITLE EXPECTED_HASH [TEXT [KIND]]
// TEXT: text the results panel must show verbatim (page text that looks like HTML stays text).
// KIND: before typing, the empty box offers the filters; choosing this kind lists its pages.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");

const [chromium, siteArg, query, expectedTitle, expectedHash, expectedText, filterKind, expectedMark] = process.argv.slice(2);
const siteDir = path.resolve(siteArg);
const SUBPATH = "/docs/handbook/";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".gz": "application/gzip", ".png": "image/png", ".svg": "image/svg+xml" };

const { fail, sleep, withBrowser } = require("./cdp.js");

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  if (!url.pathname.startsWith(SUBPATH)) { res.writeHead(404); return res.end(); }
  let file = path.join(siteDir, decodeURIComponent(url.pathname.slice(SUBPATH.length)));
  if (!file.startsWith(path.resolve(siteDir))) { res.writeHead(403); return res.end(); }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) { file = path.join(file, "index.html"); }
  if (!fs.existsSync(file)) { res.writeHead(404); return res.end("not found"); }
  res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});

async function main() {
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}${SUBPATH}`;
  await withBrowser(chromium, async ({ send, evaluate, waitFor, errors, loads }) => {
    const key = (k, code, keyCode, text) => send("Input.dispatchKeyEvent", { type: "keyDown", key: k, code, windowsVirtualKeyCode: keyCode, text })
      .then(() => send("Input.dispatchKeyEvent", { type: "keyUp", key: k, code, windowsVirtualKeyCode: keyCode }));
    await send("Runtime.enable"); await send("Log.enable"); await send("Page.enable");

    await send("Page.navigate", { url: base + "index.html" });
    await waitFor("document.readyState === 'complete'", "the home page");
    // "/" focuses the search box and loads the searcher.
    await key("/", "Slash", 191, "/");
    await waitFor("document.activeElement && document.activeElement.classList.contains('search-input')", "the search box focus");
    await waitFor("!!window.LoreSearch", "the searcher to load");
    if (filterKind) {
      const status = "(document.querySelector('.search-status') || {}).textContent";
      await waitFor(`${status} === 'Type to search, or choose a filter to list its pages.'`, "the empty box's hint");
      const choose = (v) => evaluate(`(function () { var s = document.querySelector('select[aria-label="Filter by kind"]'); s.value = ${JSON.stringify(v)}; s.dispatchEvent(new Event('change')); })()`);
      await choose(filterKind);
      const said = await waitFor(`/ pages?, in site order\\.$/.test(${status}) && ${status}`, "the pages of one kind");
      const kinds = await evaluate("Array.from(document.querySelectorAll('.search-result .search-kind')).map(function (e) { return e.textContent; })");
      const count = Number((said.match(/(\d+) pages?, in site order/) || [])[1]);
      if (!kinds.length || kinds.some((k) => k !== filterKind) || kinds.length !== Math.min(count, 20)) {
        fail(`choosing ${filterKind} listed ${JSON.stringify(kinds)} (${said})`);
      }
      await choose("");
      await waitFor(`${status} === 'Type to search, or choose a filter to list its pages.'`, "the hint after clearing the filter");
    }
    for (const ch of query) { await send("Input.insertText", { text: ch }); await sleep(20); }
    const first = await waitFor("(document.querySelector('.search-result .search-title') || {}).textContent", "results");
    if (first !== expectedTitle) { fail(`first result is ${JSON.stringify(first)}, expected ${JSON.stringify(expectedTitle)}`); }
    // The address follows the typed query once the searcher settles (it is not the first thing
    // it updates): wait for it rather than read it once.
    await waitFor(`new URL(location.href).searchParams.get('q') === ${JSON.stringify(query)}`, `the query ${JSON.stringify(query)} in the URL`);
    const marks = await evaluate("document.querySelectorAll('.search-snippet mark').length");
    if (!marks) { fail("no highlighted words in the snippets"); }
    // The first result's title marks the word it matched, after a typo's correction too.
    const titleMarks = await evaluate("Array.from(document.querySelectorAll('.search-result .search-title')[0].querySelectorAll('mark')).map(function (m) { return m.textContent; })");
    if (expectedMark && JSON.stringify(titleMarks) !== JSON.stringify([expectedMark])) {
      fail(`the first title marks ${JSON.stringify(titleMarks)}, expected ${JSON.stringify([expectedMark])}`);
    }
    if (await evaluate("typeof window.__lorePwned !== 'undefined'")) { fail("a snippet ran page text as script"); }
    if (await evaluate("document.querySelectorAll('.search-panel script, .search-panel img').length")) { fail("page text became elements"); }
    if (expectedText && !(await evaluate(`document.querySelector('.search-panel').textContent.includes(${JSON.stringify(expectedText)})`))) {
      fail(`the snippets do not show ${expectedText} as text`);
    }
    // Keyboard: down to the first heading sub-result, Enter follows it.
    let target = "";
    for (let i = 0; i < 8 && !target.includes("#"); i++) {
      await key("ArrowDown", "ArrowDown", 40);
      target = await evaluate("document.querySelector('.search-results a.active').href");
    }
    const before = loads.length;
    await key("Enter", "Enter", 13, "\r");
    for (let i = 0; i < 100 && loads.length === before; i++) { await sleep(50); }
    await waitFor("document.readyState === 'complete'", "the result page");
    const landed = await evaluate("location.href");
    if (landed !== target) { fail(`landed on ${landed}, expected ${target}`); }
    if (expectedHash && !landed.endsWith(expectedHash)) { fail(`landed on ${landed}, expected the heading ${expectedHash}`); }
    const heading = await evaluate("(function(){var h=location.hash.slice(1);var e=h&&document.getElementById(decodeURIComponent(h));return e?e.tagName:''})()");
    if (!/^H[2-6]$/.test(heading)) { fail(`no heading for ${landed}`); }
    if (await evaluate("typeof window.__lorePwned !== 'undefined'")) { fail("page text ran as script"); }
    await sleep(200);
    if (errors.length) { fail("console errors: " + errors.join("\n")); }
    console.log(`ok: "${query}" -> ${first} -> ${landed}`);
  }).finally(() => server.close());
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } server.close(); });
