// Runs axe-core (vendored under vendor/axe-core/, injected here and never by the site) on each
// page of a built site in one headless Chromium: every page in the light and the dark theme, at
// 1280 and 390 px wide, with the WCAG 2.0/2.1 A and AA rules and the best practices; no rule is
// disabled and no element excluded. Prints one JSON object: the violations found (page, theme,
// width, rule, impact, message and each element's selector) and how many checks ran.
// usage: node --experimental-websocket axe.js CHROMIUM SITE_DIR PAGES_JSON [SCREENSHOT_DIR]
// PAGES_JSON: [[name, path, action], …]; path is site-relative; action is "" or "search:QUERY"
// (open the search panel with "/" and type QUERY, then check the page with its results).
"use strict";
const fs = require("fs");
const path = require("path");
const { fail, sleep, withBrowser, serveDir } = require("./cdp.js");

const [chromium, siteDir, pagesJson, shots] = process.argv.slice(2);
const pages = JSON.parse(pagesJson);
const AXE = fs.readFileSync(path.join(__dirname, "vendor/axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const WIDTHS = [1280, 390];
const THEMES = ["light", "dark"];

async function main() {
  const server = await serveDir(siteDir, "/");
  const out = { violations: [], checks: 0, pages: [] };
  try {
    await withBrowser(chromium, async ({ send, evaluate, waitFor, errors }) => {
      await send("Runtime.enable"); await send("Log.enable"); await send("Page.enable");
      const key = (k, code, keyCode, text) => send("Input.dispatchKeyEvent", { type: "keyDown", key: k, code, windowsVirtualKeyCode: keyCode, text })
        .then(() => send("Input.dispatchKeyEvent", { type: "keyUp", key: k, code, windowsVirtualKeyCode: keyCode }));
      const width = (w) => send("Emulation.setDeviceMetricsOverride", { width: w, height: w > 800 ? 900 : 844, deviceScaleFactor: 1, mobile: w < 800 });
      for (const theme of THEMES) {
        for (const [name, rel, action] of pages) {
          await width(WIDTHS[0]);
          // The theme a reader chose, remembered: set before the page loads, so no transition runs.
          await send("Page.navigate", { url: server.base + "404.html" });
          await waitFor("document.readyState === 'complete'", "a page of the site");
          await evaluate(`localStorage.setItem('lore-theme', ${JSON.stringify(theme)})`);
          await send("Page.navigate", { url: server.base + rel });
          await waitFor("document.readyState === 'complete'", name);
          // The 404 page's own status is what it is for, not an error.
          if (rel.startsWith("no/")) { for (let i = errors.length - 1; i >= 0; i--) { if (errors[i].includes("status of 404") && errors[i].includes(rel)) { errors.splice(i, 1); } } }
          if (await evaluate("document.documentElement.getAttribute('data-theme')") !== theme) { fail(`${name}: not in the ${theme} theme`); }
          // Diagrams drawn (or given up on) before checking.
          await waitFor("Array.from(document.querySelectorAll('.diagram')).every(function (f) { return !f.hidden || f.nextElementSibling.classList.contains('diagram-error'); })", `${name}: its diagrams`);
          if (action.startsWith("search:")) {
            await key("/", "Slash", 191, "/");
            await waitFor("!!window.LoreSearch", "the searcher to load");
            for (const ch of action.slice(7)) { await send("Input.insertText", { text: ch }); await sleep(10); }
            await waitFor("document.querySelectorAll('.search-result').length > 0", `${name}: search results`);
          }
          await evaluate(AXE);
          for (const w of WIDTHS) {
            await width(w);
            await sleep(50);
            const result = await evaluate(`axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(TAGS)} }, resultTypes: ["violations"] }).then(function (r) {
              return r.violations.map(function (v) { return { rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) { return { target: n.target.join(" "), summary: n.failureSummary }; }) }; });
            })`);
            out.checks++;
            for (const v of result) { out.violations.push(Object.assign({ page: name, path: rel, theme, width: w }, v)); }
            if (shots) {
              const { result: shot } = await send("Page.captureScreenshot", { format: "png" });
              fs.writeFileSync(path.join(shots, `${name.replace(/[^a-z0-9]+/gi, "-")}-${theme}-${w}.png`), Buffer.from(shot.data, "base64"));
            }
          }
          out.pages.push(`${name} (${theme})`);
        }
      }
      out.errors = errors;
    });
  } finally {
    server.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } });
