// Drives headless Chromium over the DevTools protocol: opens START_URL, clicks a link found by
// its text, and reports the page it lands on. Fails on a wrong title or a console error.
// usage: node --experimental-websocket follow_links.js CHROMIUM START_URL LINKS_JSON
// LINKS_JSON: [{"in": "main", "text": "w3", "title": "What · Odd names"}, …]; each link is
// followed from a fresh load of START_URL ("in" is a CSS selector the link must sit in).
"use strict";

const [chromium, start, linksJson] = process.argv.slice(2);
const links = JSON.parse(linksJson);

const { fail, sleep, withBrowser } = require("./cdp.js");

async function main() {
  await withBrowser(chromium, async ({ send, evaluate, waitFor, errors, loads }) => {
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
  });
}

main().catch((e) => { if (!process.exitCode) { console.error(e); process.exitCode = 1; } });
