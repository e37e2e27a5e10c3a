// Live reload in a real browser, driven over the DevTools protocol.
//
// node --experimental-websocket live_reload.mjs CHROMIUM URL MARKDOWN_FILE
//
// Opens URL in headless Chromium, scrolls down, appends a paragraph with a unique marker to
// MARKDOWN_FILE, and waits for the page to show it without any action of ours. Then checks that
// the page really reloaded and kept its scroll position; then breaks a link, waits for the page
// to show the edit with its problems panel, collapses it to a badge, reloads, finds it still
// collapsed, fixes the link and waits for the panel to go. No console errors or
// exceptions may be logged. Exits non-zero with a message on any failure; never waits more than ~30 s.
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [chromium, url, file] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "lore-cdp-"));
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--remote-debugging-port=0",
  `--user-data-dir=${profile}`, "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

const fail = (message) => {
  console.error(`live reload test failed: ${message}`);
  finish(1);
};
const finish = (code) => {
  browser.kill("SIGKILL");
  try { rmSync(profile, { recursive: true, force: true }); } catch {}
  process.exit(code);
};
setTimeout(() => fail("timed out"), 30000).unref();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const wsUrl = await new Promise((resolve) => {
  let text = "";
  browser.stderr.on("data", (chunk) => {
    text += chunk;
    const m = text.match(/DevTools listening on (ws:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
});

const ws = new WebSocket(wsUrl);
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let nextId = 1;
const pending = new Map();
const problems = [];
ws.onmessage = (msg) => {
  const m = JSON.parse(msg.data);
  if (m.id && pending.has(m.id)) {
    const { resolve, reject } = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) reject(new Error(JSON.stringify(m.error))); else resolve(m.result);
    return;
  }
  if (m.method === "Runtime.exceptionThrown") problems.push(`exception: ${m.params.exceptionDetails.text} ${m.params.exceptionDetails.exception?.description ?? ""}`);
  if (m.method === "Runtime.consoleAPICalled" && ["error", "assert"].includes(m.params.type)) problems.push(`console.${m.params.type}: ${JSON.stringify(m.params.args.map((a) => a.value ?? a.description))}`);
  if (m.method === "Log.entryAdded" && m.params.entry.level === "error") problems.push(`log: ${m.params.entry.text} ${m.params.entry.url ?? ""}`);
};
const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
});

const { targetId } = await send("Target.createTarget", { url: "about:blank" });
const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
const page = (method, params) => send(method, params, sessionId);
await page("Runtime.enable");
await page("Log.enable");
await page("Page.enable");
await page("Emulation.setDeviceMetricsOverride", { width: 1000, height: 500, deviceScaleFactor: 1, mobile: false });
await page("Page.navigate", { url });
const evaluate = async (expression) => (await page("Runtime.evaluate", { expression, returnByValue: true })).result.value;

const until = async (expression, what, ms = 15000) => {
  const start = Date.now();
  while (Date.now() - start < ms) {
    try { if (await evaluate(expression)) return; } catch {}
    await sleep(50);
  }
  fail(`never saw ${what}`);
};
await until("document.readyState === 'complete' && !!document.querySelector('script[src=\"/__lore/live.js\"]')", "the page load");
await sleep(500); // the event stream connects
await evaluate("window.scrollTo(0, 300); window.__loreTestMark = 1; window.scrollY");
const scrolled = await evaluate("window.scrollY");
if (scrolled < 100) fail(`the page does not scroll (scrollY ${scrolled})`);

const marker = `LIVE-RELOAD-MARKER-${Date.now()}`;
appendFileSync(file, `\n\nA paragraph added while the page was open: ${marker}.\n`);
await until(`document.readyState === 'complete' && document.body.innerText.includes(${JSON.stringify(marker)})`, "the edit in the page");
await sleep(300);
if (await evaluate("window.__loreTestMark") !== undefined) fail("the content changed without a reload?");
const after = await evaluate("window.scrollY");
if (Math.abs(after - scrolled) > 2) fail(`scroll position not kept: ${scrolled} before, ${after} after`);
// A broken edit does not stop the preview (issue 15): the page reloads with the edit, and the
// problems panel shows its error first; collapsed to a badge, it stays collapsed across a
// reload; fixing the link removes it by itself.
const { readFileSync, writeFileSync } = await import("node:fs");
const good = readFileSync(file, "utf8");
const missing = `no-such-page-${Date.now()}.md`;
writeFileSync(file, `${good}\n\nSee [nowhere](${missing}) BROKEN-EDIT-SHOWN.\n`);
await until("document.readyState === 'complete' && document.body.innerText.includes('BROKEN-EDIT-SHOWN') && !!document.querySelector('#lore-problems .lore-problems-list')", "the page with its problems panel");
const panel = JSON.parse(await evaluate(`JSON.stringify({
  badge: document.querySelector("#lore-problems .lore-problems-badge").textContent,
  open: !document.querySelector("#lore-problems .lore-problems-list").hidden,
  heading: document.querySelector("#lore-problems h2").textContent,
  text: document.querySelector("#lore-problems pre").textContent,
  overlay: !!document.getElementById("lore-overlay"),
})`));
if (panel.badge !== "\u26a0 1 problem \u00b7 1 on this page") fail(`badge: ${JSON.stringify(panel.badge)}`);
if (!panel.open) fail("the panel starts open");
if (panel.heading !== "On this page") fail(`first heading: ${panel.heading}`);
const name = file.split("/").slice(-2).join("/");
if (!panel.text.includes(`${name}:`) || !panel.text.includes(`error: broken link: \`${missing}\` does not exist`)) fail(`the panel does not show the error:\n${panel.text}`);
if (panel.overlay) fail("a content error must not cover the page with the build-failed overlay");
await evaluate("document.querySelector('#lore-problems .lore-problems-badge').click()");
if (!(await evaluate("document.querySelector('#lore-problems .lore-problems-list').hidden"))) fail("the badge does not collapse the panel");
await evaluate("window.__beforeReload = 1");
await page("Page.reload", {});
await until("!window.__beforeReload && document.readyState === 'complete' && !!document.querySelector('#lore-problems')", "the page after a reload");
const collapsed = await evaluate("document.querySelector('#lore-problems .lore-problems-list').hidden && document.querySelector('#lore-problems .lore-problems-badge').getAttribute('aria-expanded') === 'false'");
if (!collapsed) fail("the panel did not stay collapsed across the reload");
writeFileSync(file, good);
await until("document.readyState === 'complete' && !document.body.innerText.includes('BROKEN-EDIT-SHOWN') && !document.getElementById('lore-problems')", "the problems go away");

const real = problems;
if (real.length) fail(`console errors:\n${real.join("\n")}`);
console.log(`live reload ok: content changed, scroll ${after}, problems shown, collapsed across a reload and cleared, no console errors`);
finish(0);
