// Drives headless Chromium over the DevTools protocol: opens START_URL, clicks a link found by
// its text, and reports the page it lands on. Fails on a wrong title or a console error.
// usage: node --experimental-websocket follow_links.js CHROMIUM START_URL LINKS_JSON
// LINKS_JSON: [{"in": "main", "text": "w3", "title": "What · Odd names"}, …]; each link is
// followed from a fresh load of START_URL ("in" is a CSS selector the link must sit in).
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const [chromium, start, linksJson] = process.argv.slice(2);
const links = JSON.parse(linksJson);

function fail(msg) { console.error("FAIL: " + msg); process.exitCode = 1; throw new Error(msg); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "lore-chromium-"));
  const browser = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"], { stdio: "ignore" });
  try {
    let port;
    for (let i = 0; i < 100 && !port; i++) {
      await sleep(100);
      try { port = fs.readFileSync(path.join(profile, "DevToolsActivePort"), "utf8").split("\n")[0]; } catch (e) { /* not yet */ }
    }
    if (!port) { fail("Chromium did not start"); }
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    const ws = new WebSocket(targets.find((t) => t.type === "page").webSocketDebuggerUrl);
    await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
    let id = 0;
    const pending = new Map(), errors = [], loads = [];
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); return; }
      if (msg.method === "Runtime.exceptionThrown") { errors.push(JSON.stringify(msg.params.exceptionDetails)); }
      if (msg.method === "Runtime.consoleAPICalled" && msg.params.type === "error") { errors.push(JSON.stringify(msg.params.args)); }
      if (msg.method === "Log.entryAdded" && msg.params.entry.level === "error" && !/favicon\.ico/.test(msg.params.entry.url || "")) { errors.push(msg.params.entry.text + " " + (msg.params.entry.url || "")); }
      if (msg.method === "Page.loadEventFired") { loads.push(Date.now()); }
    };
    const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
    const evaluate = async (expr) => (await send("Runtime.evaluate", { expression: expr, returnByValue: true, awaitPromise: true })).result.result.value;
    const waitFor = async (expr, what) => {
      for (let i = 0; i < 100; i++) { const v = await evaluate(expr); if (v) { return v; } await sleep(50); }
      fail("timed out waiting for " + what);
    };
    await send("Runtime.enable"); await send("Log.enable"); await send("Page.enable");

    const landed = [];
    for (const link of links) {
      let before = loads.length;
      await send("Page.navigate", { url: start });
      for (let i = 0; i < 100 && loads.length === before; i++) { await sleep(50); }
      await waitFor("document.readyState === 'complete'", "the start page");
      const find = `Array.from(document.querySelectorAll(${JSON.stringify(link.in + " a")})).find(function (a) { return a.textContent.trim() === ${JSON.stringify(link.text)}; })`;
      const href = await evaluate(`(function () { var a = ${find}; return a ? a.getAttribute("href") : null; })()`);
      if (href === null) { fail(`no link "${link.text}" in ${link.in}`); }
      before = loads.length;
      await evaluate(`${find}.click()`);
      for (let i = 0; i < 100 && loads.length === before; i++) { await sleep(50); }
      await waitFor("document.readyState === 'complete'", "the linked page");
      const title = await evaluate("document.title");
      const at = await evaluate("location.href");
      if (title !== link.title) { fail(`"${link.text}" (href ${href}) led to ${at}, titled ${JSON.stringify(title)}, expected ${JSON.stringify(link.title)}`); }
      landed.push({ text: link.text, href, at });
    }
    await sleep(200);
    if (errors.length) { fail("console errors: " + errors.join("\n")); }
    console.log(JSON.stringify(landed));
    ws.close();
  } finally {
    const exited = new Promise((r) => browser.once("exit", r));
    browser.kill();
    await exited;
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* best effort */ }
  }
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } });
