// Drives Chromium through the DevTools protocol: opens an onboarding path, ticks two steps,
// reloads, and prints what the page shows afterwards as JSON.
// Then opens the decision log, filters it by status and sorts it by date.
// Usage: node --experimental-websocket path_progress.js CHROMIUM PROFILE_DIR URL LOG_URL
const { spawn } = require("node:child_process");

const [chromium, profile, url, logUrl] = process.argv.slice(2);
if (typeof WebSocket === "undefined") {
  console.log(JSON.stringify({ skipped: "this Node has no WebSocket client (Node 20.10 or later needed)" }));
  process.exit(0);
}
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--remote-debugging-port=0",
  `--user-data-dir=${profile}`, url,
], { stdio: ["ignore", "ignore", "pipe"] });

function fail(message) {
  console.error(message);
  browser.kill();
  process.exit(1);
}
setTimeout(() => fail("timed out"), 20000);

let stderr = "";
browser.stderr.on("data", async (chunk) => {
  stderr += chunk;
  const match = stderr.match(/DevTools listening on (ws:\/\/[^\s]+)/);
  if (!match || browser.started) return;
  browser.started = true;
  const port = new URL(match[1]).port;
  try {
    await run(port);
  } catch (e) {
    fail(String(e));
  }
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(port) {
  let page;
  for (let i = 0; i < 50 && !page; i++) {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    page = list.find((t) => t.type === "page" && t.url.startsWith("file:"));
    if (!page) await sleep(100);
  }
  if (!page) fail("no page target");
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener("open", r));
  let id = 0;
  const pending = new Map();
  ws.addEventListener("message", (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      id += 1;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async (expression) => {
    const reply = await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    if (reply.error || reply.result.exceptionDetails) fail(JSON.stringify(reply));
    return reply.result.result.value;
  };
  // `window.__old` marks the page before a reload: ready() waits for a document without it.
  const ready = async () => {
    for (let i = 0; i < 100; i++) {
      // Mid-navigation an evaluation can fail (its context is gone): that is "not ready yet".
      const reply = await send("Runtime.evaluate", {
        expression: "!window.__old && document.readyState === 'complete' && !!document.querySelector('.path-progress:not([hidden])')",
        returnByValue: true,
      });
      const state = !reply.error && !reply.result.exceptionDetails && reply.result.result.value;
      if (state) return;
      await sleep(50);
    }
    fail("page did not become ready");
  };
  await ready();
  const before = await evaluate("document.querySelector('.path-progress').textContent");
  await evaluate("[0, 2].forEach(i => document.querySelectorAll('.step input[type=checkbox]')[i].click()); true");
  const after = await evaluate("document.querySelector('.path-progress').textContent");
  // The page keeps its storage in the browser process, which takes the write asynchronously;
  // a reload within milliseconds on a loaded machine can read the storage before it lands (a
  // reader reloads seconds later).
  await sleep(500);
  await evaluate("window.__old = true");
  await send("Page.reload", {});
  await sleep(100);
  await ready();
  const reloaded = await evaluate(`({
    checked: Array.from(document.querySelectorAll('.step input[type=checkbox]')).map((b, i) => b.checked ? i : -1).filter(i => i >= 0),
    done: Array.from(document.querySelectorAll('.step.done')).map(s => s.id),
    progress: document.querySelector('.path-progress').textContent
  })`);
  await send("Page.navigate", { url: logUrl });
  await sleep(300);
  for (let i = 0; i < 100; i++) {
    if (await evaluate("document.readyState === 'complete' && !!document.querySelector('.adr-filter:not([hidden])')")) break;
    await sleep(50);
  }
  const log = await evaluate(`(() => {
    const visible = () => Array.from(document.querySelectorAll('.adr-row')).filter(r => !r.hidden).map(r => r.dataset.number);
    document.querySelector('.adr-filter button[data-status=accepted]').click();
    const accepted = visible();
    document.querySelector('.adr-filter button[data-status=""]').click();
    const date = document.querySelector('th[data-sort=date]');
    date.click();
    const byDate = visible();
    date.click();
    const byDateDescending = visible();
    return { accepted, byDate, byDateDescending, sort: date.getAttribute('aria-sort') };
  })()`);
  console.log(JSON.stringify({ before, after, ...reloaded, log }));
  ws.close();
  browser.kill();
  process.exit(0);
}
