// Opens a page holding mermaid diagrams in headless Chromium (DevTools protocol) and prints, as
// JSON, what the page shows: the diagrams drawn as SVG (in the light theme, then again after the
// theme toggle switched to dark), whether their source text was hidden, every URL the page
// requested, console errors, and whether page text ran as script.
// usage: node --experimental-websocket diagram.js CHROMIUM URL [SCREENSHOT_PREFIX]
// With SCREENSHOT_PREFIX, writes PREFIX-light.png and PREFIX-dark.png.
"use strict";
const fs = require("fs");
const { withBrowser } = require("./cdp.js");

const [chromium, url, shots] = process.argv.slice(2);

async function main() {
  const out = {};
  await withBrowser(chromium, async ({ send, evaluate, waitFor, errors, on }) => {
    const requests = [];
    on("Network.requestWillBeSent", (p) => requests.push(p.request.url));
    await send("Runtime.enable"); await send("Log.enable"); await send("Page.enable"); await send("Network.enable");
    await send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
    await send("Emulation.setEmulatedMedia", { features: [{ name: "prefers-color-scheme", value: "light" }] });
    await send("Page.navigate", { url });
    await waitFor("document.readyState === 'complete'", "the page");
    const drawn = "Array.from(document.querySelectorAll('.diagram:not([hidden]) > svg')).map(function (s) { return s.id; })";
    const settled = `(function () { var d = document.querySelectorAll('.diagram'); var done = Array.from(d).every(function (f) { return !f.hidden || f.nextElementSibling.classList.contains('diagram-error'); }); return d.length > 0 && done; })()`;
    await waitFor(settled, "the diagrams to be drawn");
    const state = async () => ({
      theme: await evaluate("document.documentElement.getAttribute('data-theme')"),
      svgs: await evaluate(drawn),
      sources: await evaluate("Array.from(document.querySelectorAll('pre.mermaid')).map(function (p) { return { hidden: p.hidden, error: p.classList.contains('diagram-error'), text: p.textContent }; })"),
      // The drawn diagram's own background colour: mermaid's dark theme draws nodes dark.
      nodeFill: await evaluate("(function () { var n = document.querySelector('.diagram svg .node rect, .diagram svg .node path, .diagram svg .node polygon'); return n ? getComputedStyle(n).fill : ''; })()"),
    });
    const shot = async (name) => {
      if (!shots) { return; }
      const { result } = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: false }).then((r) => r);
      fs.writeFileSync(`${shots}-${name}.png`, Buffer.from(result.data, "base64"));
    };
    await evaluate("(function () { var s = document.querySelector('.diagram'); if (s) { s.scrollIntoView(); } })()");
    out.light = await state();
    await shot("light");
    // The theme toggle, as a reader uses it.
    await evaluate("document.querySelector('.theme-toggle').click()");
    await waitFor(`(function () { var s = ${drawn}; return s.length && s.every(function (id) { return ${JSON.stringify(out.light.svgs)}.indexOf(id) < 0; }); })()`, "the diagrams to be drawn again");
    out.dark = await state();
    await shot("dark");
    // Click every node and link a diagram drew: page text must not have bound a handler.
    out.links = await evaluate("Array.from(document.querySelectorAll('.diagram a')).map(function (a) { return a.getAttribute('href') || a.getAttribute('xlink:href') || ''; })");
    await evaluate("document.querySelectorAll('.diagram .node, .diagram a').forEach(function (n) { n.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true })); })");
    await new Promise((r) => setTimeout(r, 200));
    out.pwned = await evaluate("typeof window.__lorePwned !== 'undefined'");
    out.elements = await evaluate("document.querySelectorAll('.diagram script, .diagram img, .diagram iframe, .diagram [onerror], .diagram [onclick]').length");
    out.requests = requests;
    out.errors = errors;
  });
  console.log(JSON.stringify(out));
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } });
