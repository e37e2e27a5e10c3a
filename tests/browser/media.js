// The theme under emulated media, in headless Chromium (DevTools protocol). Prints one JSON
// object; the Rust test asserts it.
// usage: node --experimental-websocket media.js CHROMIUM SITE_DIR [SCREENSHOT_DIR]
// - prefers-reduced-motion: every transition and animation is off (and on without it);
// - forced-colors (Windows high contrast): badges, status labels, freshness dots and callouts
//   keep a border, since backgrounds are dropped;
// - print: a runbook prints its header (service, owner, last verified, freshness) and its
//   commands whole: no element is wider than the page, and no code block is clipped.
"use strict";
const fs = require("fs");
const path = require("path");
const { withBrowser, serveDir, sleep } = require("./cdp.js");

const [chromium, siteDir, shots] = process.argv.slice(2);
const RUNBOOK = "runbooks/postgres-primary-failover/";
// Verified in 2025: stale on any day these tests run, so its banner shows.
const STALE_RUNBOOK = "runbooks/kafka-under-replicated-partitions/";

async function main() {
  const server = await serveDir(siteDir, "/");
  const out = {};
  try {
    await withBrowser(chromium, async ({ send, evaluate, waitFor, errors }) => {
      await send("Runtime.enable"); await send("Log.enable"); await send("Page.enable");
      const width = (w, h) => send("Emulation.setDeviceMetricsOverride", { width: w, height: h || (w > 800 ? 900 : 844), deviceScaleFactor: 1, mobile: w < 800 });
      const media = (m, features) => send("Emulation.setEmulatedMedia", { media: m || "", features: features || [] });
      const open = async (rel) => {
        await send("Page.navigate", { url: server.base + rel });
        await waitFor(`document.readyState === 'complete' && location.pathname === ${JSON.stringify("/" + rel)}`, rel);
        await sleep(50);
      };
      // A screenshot of the viewport, or with `tiles` the page's first tiles × 1200 px.
      const shot = async (name, tiles) => {
        if (!shots) { return; }
        const size = (await send("Page.getLayoutMetrics")).result.cssContentSize;
        for (let i = 0; i < (tiles || 1); i++) {
          const clip = tiles ? { x: 0, y: i * 1200, width: size.width, height: Math.min(1200, size.height - i * 1200), scale: 1 } : undefined;
          if (clip && clip.height <= 0) { break; }
          const { result } = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: !!tiles, clip });
          fs.writeFileSync(path.join(shots, name + (tiles ? "-" + (i + 1) : "") + ".png"), Buffer.from(result.data, "base64"));
        }
      };
      // Every transition and animation duration on the page, pseudo-elements included.
      const MOTION = `(function () {
        var moving = [];
        document.querySelectorAll("*").forEach(function (e) {
          [null, "::before", "::after"].forEach(function (p) {
            var s = getComputedStyle(e, p);
            var t = s.transitionDuration.split(",").concat(s.animationDuration.split(",")).some(function (d) { return parseFloat(d) > 0; });
            if (t && (s.transitionProperty !== "all" || parseFloat(s.transitionDuration) > 0)) { moving.push(e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "") + (p || "")); }
          });
        });
        return moving;
      })()`;
      await width(390);
      for (const [name, reduce] of [["motion", "no-preference"], ["reducedMotion", "reduce"]]) {
        await media("", [{ name: "prefers-reduced-motion", value: reduce }]);
        out[name] = [];
        for (const rel of [RUNBOOK, "onboarding/"]) {
          await open(rel);
          out[name].push(...(await evaluate(MOTION)).map((m) => rel + " " + m));
        }
      }
      await evaluate("document.querySelector('.nav-toggle').click()");
      await shot("reduced-motion-sidebar-390");

      // Forced colours: what keeps a border once backgrounds are gone.
      await width(1280);
      await media("", [{ name: "forced-colors", value: "active" }]);
      const BORDERS = `(function () {
        var sel = ".badge, .status, .callout, .freshness-banner, .badge-dot, .severity";
        return Array.from(document.querySelectorAll(sel)).filter(function (e) { return e.getClientRects().length; }).map(function (e) {
          var s = getComputedStyle(e);
          var sides = ["Top", "Right", "Bottom", "Left"].filter(function (k) { return s["border" + k + "Style"] !== "none" && parseFloat(s["border" + k + "Width"]) >= 1; });
          return { el: e.tagName.toLowerCase() + "." + e.className.trim().split(/\\s+/).join("."), sides: sides.length };
        }).filter(function (b) { return b.sides === 0; });
      })()`;
      out.forcedColors = await evaluate("matchMedia('(forced-colors: active)').matches");
      out.borderless = [];
      out.checked = 0;
      for (const rel of [RUNBOOK, "freshness/", "adr/", "how-to-write-runbooks/", "onboarding/backend-engineer/", "alerts/"]) {
        await open(rel);
        out.checked += await evaluate("document.querySelectorAll('.badge, .status, .callout, .freshness-banner, .badge-dot, .severity').length");
        out.borderless.push(...(await evaluate(BORDERS)).map((b) => rel + " " + b.el));
        await shot("forced-colors-" + rel.replace(/\W+/g, "-").replace(/-$/, ""));
      }
      await media("", []);

      // Print: A4 portrait's printable width at 96 dpi (210 mm less 2 × 10 mm margins ≈ 718 px).
      await width(718, 1000);
      await open(STALE_RUNBOOK);
      await media("print");
      out.printHeader = await evaluate(`(function () {
        var h = document.querySelector(".page-header, .runbook-header, header.page-header");
        var shown = function (e) { return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"; };
        var text = h ? h.innerText : "";
        var banner = document.querySelector(".freshness-banner");
        return { header: shown(h), text: text, banner: shown(banner) ? banner.innerText : "" };
      })()`);
      out.tooWide = {};
      for (const rel of [STALE_RUNBOOK, RUNBOOK]) {
        if (rel !== STALE_RUNBOOK) { await media(""); await open(rel); await media("print"); }
        // The harshest commands: a 400-character token without a space in a code block, in
        // inline code and in a table cell.
        await evaluate(`(function () {
          var token = "kubectl-" + "x".repeat(400);
          var pre = document.querySelector("pre code"); pre.textContent += "\\n" + token;
          var p = document.createElement("p"); p.innerHTML = "<code></code>"; p.firstChild.textContent = token;
          document.querySelector(".markdown").appendChild(p);
          var td = document.querySelector(".markdown td"); if (td) { td.textContent = token; }
        })()`);
        out.tooWide[rel] = await evaluate(`(function () {
          var page = document.documentElement.clientWidth, wide = [];
          document.querySelectorAll("body *").forEach(function (e) {
            if (!e.getClientRects().length) { return; }
            var r = e.getBoundingClientRect();
            var clipped = e.scrollWidth > e.clientWidth + 1 && /auto|scroll|hidden/.test(getComputedStyle(e).overflowX);
            if (r.right > page + 1 || r.left < -1 || clipped) { wide.push(e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "") + " " + Math.round(r.left) + ".." + Math.round(r.right) + (clipped ? " clipped " + e.scrollWidth + ">" + e.clientWidth : "")); }
          });
          return { page: page, wide: wide, codeBlocks: document.querySelectorAll("pre").length };
        })()`);
      }
      await shot("print-runbook", 3);
      await media("");
      out.errors = errors;
    });
  } finally {
    server.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } });
