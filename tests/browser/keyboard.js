// Keyboard-only use of a built site in headless Chromium (DevTools protocol; keys go through
// the browser's own input, so Tab, Space and Enter do what they do for a reader). Prints one
// JSON object of what happened; the Rust test asserts it.
// usage: node --experimental-websocket keyboard.js CHROMIUM SITE_DIR
// - focus is visible at every Tab stop (an outline or a box shadow, on a visible element) of a
//   runbook and an onboarding path, at 1280 and 390 px;
// - an onboarding step's checkbox ticks with Space, the theme toggle switches with Enter;
// - at 390 px the sidebar toggle opens the sidebar with Enter, Escape closes it and returns focus;
// - "/" opens search, arrow keys move through results, Escape closes the panel and returns
//   focus to where it was, and Enter opens the active result.
"use strict";
const { sleep, withBrowser, serveDir } = require("./cdp.js");

const [chromium, siteDir] = process.argv.slice(2);
const KEYS = {
  Tab: ["Tab", 9], Enter: ["Enter", 13, "\r"], " ": ["Space", 32, " "], Escape: ["Escape", 27],
  ArrowDown: ["ArrowDown", 40], ArrowUp: ["ArrowUp", 38], "/": ["Slash", 191, "/"],
};

async function main() {
  const server = await serveDir(siteDir, "/");
  const out = {};
  try {
    await withBrowser(chromium, async ({ send, evaluate, waitFor, errors, loads }) => {
      await send("Runtime.enable"); await send("Log.enable"); await send("Page.enable");
      const key = async (k, modifiers = 0) => {
        const [code, keyCode, text] = KEYS[k];
        await send("Input.dispatchKeyEvent", { type: "keyDown", key: k, code, windowsVirtualKeyCode: keyCode, text, modifiers });
        await send("Input.dispatchKeyEvent", { type: "keyUp", key: k, code, windowsVirtualKeyCode: keyCode, modifiers });
        await sleep(15);
      };
      const width = (w) => send("Emulation.setDeviceMetricsOverride", { width: w, height: w > 800 ? 900 : 844, deviceScaleFactor: 1, mobile: w < 800 });
      const open = async (rel) => {
        await send("Page.navigate", { url: server.base + rel });
        await waitFor(`document.readyState === 'complete' && location.pathname === ${JSON.stringify("/" + rel)}`, rel);
      };
      // What has focus, and whether a reader can see it.
      const FOCUS = `(function () {
        var e = document.activeElement;
        if (!e || e === document.body) { return { tag: "body", visible: false }; }
        var s = getComputedStyle(e), r = e.getBoundingClientRect();
        var ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
        var inView = r.right > 0 && r.left < innerWidth && r.bottom > 0 && r.top < innerHeight;
        var name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "");
        return { tag: name, text: (e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 40), ring: ring, shown: r.width > 0 && r.height > 0 && s.visibility !== "hidden", visible: ring && inView && r.width > 0 && r.height > 0 };
      })()`;
      // Tabs through a page: every stop, until focus comes back to the first one (or 250 stops).
      const walk = async (until) => {
        const stops = [];
        for (let i = 0; i < 250; i++) {
          await key("Tab");
          const f = await evaluate(FOCUS);
          // Past the last stop, focus leaves the page (the browser's own controls).
          if (i > 0 && f.tag === "body") { break; }
          stops.push(f);
          if (until && await evaluate(until)) { break; }
          if (i > 0 && f.tag === stops[0].tag && f.text === stops[0].text) { break; }
        }
        return stops;
      };
      out.unseen = [];
      for (const w of [1280, 390]) {
        await width(w);
        for (const rel of ["runbooks/postgres-primary-failover/", "onboarding/backend-engineer/"]) {
          await open(rel);
          const stops = await walk(null);
          out.unseen.push(...stops.filter((f) => !f.visible).map((f) => Object.assign({ page: rel, width: w }, f)));
          out[`stops ${rel} ${w}`] = stops.length;
        }
      }

      // An onboarding step ticks with Space; the theme toggle switches with Enter.
      await width(1280);
      await open("onboarding/backend-engineer/");
      await walk("document.activeElement.matches('.step input[type=checkbox]')");
      out.checkbox = await evaluate("document.activeElement.getAttribute('aria-label')");
      await key(" ");
      out.ticked = await evaluate("document.activeElement.checked");
      out.progress = await evaluate("document.querySelector('.path-progress').textContent");
      await open("index.html");
      const before = await evaluate("document.documentElement.getAttribute('data-theme')");
      await walk("document.activeElement.matches('.theme-toggle')");
      await key("Enter");
      out.theme = [before, await evaluate("document.documentElement.getAttribute('data-theme')")];

      // Phone width: the sidebar toggle.
      await width(390);
      await open("runbooks/postgres-primary-failover/");
      await walk("document.activeElement.matches('.nav-toggle')");
      await key("Enter");
      out.navOpen = await evaluate("[document.body.classList.contains('nav-open'), document.querySelector('.nav-toggle').getAttribute('aria-expanded')]");
      // Focus moved into the sidebar, at the current page (seen once it slid in), and Tab goes
      // on inside it.
      await sleep(300);
      out.navFocus = [await evaluate("document.activeElement.getAttribute('aria-current') === 'page' && !!document.activeElement.closest('#sidebar')"), (await evaluate(FOCUS)).visible];
      await key("Tab");
      out.navNext = await evaluate("!!document.activeElement.closest('#sidebar')");
      await key("Escape");
      out.navClosed = await evaluate("[document.body.classList.contains('nav-open'), document.activeElement.matches('.nav-toggle')]");

      // Search with the keyboard alone.
      await width(1280);
      await open("index.html");
      await walk("document.activeElement.matches('main a')");
      const from = await evaluate("document.activeElement.getAttribute('href')");
      await key("/");
      out.slash = await evaluate("document.activeElement.matches('.search-input')");
      await waitFor("!!window.LoreSearch", "the searcher");
      for (const ch of "failover") { await send("Input.insertText", { text: ch }); await sleep(10); }
      await waitFor("document.querySelectorAll('.search-results [role=option]').length > 1", "results");
      await key("ArrowDown"); await key("ArrowDown"); await key("ArrowUp"); await key("ArrowDown");
      out.active = await evaluate(`(function () { var i = document.querySelector('.search-input'), a = document.getElementById(i.getAttribute('aria-activedescendant')); var all = Array.from(document.querySelectorAll('.search-results [role=option]')); return { index: all.indexOf(a), selected: a && a.getAttribute('aria-selected'), expanded: i.getAttribute('aria-expanded'), focus: ${FOCUS}.visible || !!(a && getComputedStyle(a).outlineStyle !== 'none') }; })()`);
      await key("Escape");
      out.escape = await evaluate(`[document.querySelector('.search-panel').hidden, document.querySelector('.search-input').getAttribute('aria-expanded'), document.activeElement.getAttribute('href') === ${JSON.stringify(from)}]`);
      await key("/");
      await waitFor("document.querySelector('.search-panel') && !document.querySelector('.search-panel').hidden", "the panel again");
      await key("ArrowDown"); await key("ArrowDown");
      const target = await evaluate("document.getElementById(document.querySelector('.search-input').getAttribute('aria-activedescendant')).href");
      const loaded = loads.length;
      await key("Enter");
      for (let i = 0; i < 100 && loads.length === loaded; i++) { await sleep(50); }
      await waitFor("document.readyState === 'complete'", "the result");
      out.opened = [target, await evaluate("location.href")];
      out.errors = errors;
    });
  } finally {
    server.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } });
