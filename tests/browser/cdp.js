// A small DevTools-protocol driver for the browser tests: starts headless Chromium with a fresh
// profile, attaches to its page and collects console errors, uncaught exceptions and load
// events. `withBrowser(chromium, async (page) => …)` stops Chromium and removes the profile
// however the test ends.
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

function fail(msg) { console.error("FAIL: " + msg); process.exitCode = 1; throw new Error(msg); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function attach(profile) {
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
  const pending = new Map(), errors = [], loads = [], listeners = [];
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.method) { listeners.forEach((l) => { if (l.method === msg.method) { l.fn(msg.params); } }); }
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
  // `on("Network.requestWillBeSent", (params) => …)`: every event of that method.
  const on = (method, fn) => listeners.push({ method, fn });
  return { ws, send, evaluate, waitFor, errors, loads, on };
}

async function withBrowser(chromium, run) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "lore-chromium-"));
  const browser = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"], { stdio: "ignore" });
  try {
    const page = await attach(profile);
    await run(page);
    page.ws.close();
  } finally {
    const exited = new Promise((r) => browser.once("exit", r));
    browser.kill();
    await exited;
    try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* best effort */ }
  }
}

// Serves `dir` over HTTP on 127.0.0.1 under `subpath` (a static host, as search needs: it
// fetches its index); resolves to { base, close }.
function serveDir(dir, subpath) {
  const http = require("http");
  const root = path.resolve(dir);
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (!url.pathname.startsWith(subpath)) { res.writeHead(404); return res.end(); }
    let file = path.join(root, decodeURIComponent(url.pathname.slice(subpath.length)));
    if (!file.startsWith(root)) { res.writeHead(403); return res.end(); }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) { file = path.join(file, "index.html"); }
    if (!fs.existsSync(file)) { res.writeHead(404, { "content-type": "text/html" }); return fs.createReadStream(path.join(root, "404.html")).pipe(res); }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", r))
    .then(() => ({ base: `http://127.0.0.1:${server.address().port}${subpath}`, close: () => server.close() }));
}

module.exports = { fail, sleep, withBrowser, serveDir };
