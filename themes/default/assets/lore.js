/* lore default theme: theme toggle, mobile navigation, copy buttons, table of contents. No dependencies. */
(function () {
  "use strict";
  var doc = document.documentElement;

  /* Pretty URLs end in a folder ("../runbooks/db/"). A web server answers those with the
     folder's index.html; a browser reading from file:// shows a file listing instead, so
     point such links at index.html explicitly. */
  if (location.protocol === "file:") {
    document.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.charAt(0) === "#" || href.charAt(0) === "/") { return; }
      var split = href.search(/[?#]/);
      var path = split < 0 ? href : href.slice(0, split);
      var rest = split < 0 ? "" : href.slice(split);
      if (path.slice(-1) === "/") { a.setAttribute("href", path + "index.html" + rest); }
    });
  }

  function storedTheme() {
    try { return localStorage.getItem("lore-theme"); } catch (e) { return null; }
  }
  function setTheme(theme) {
    doc.setAttribute("data-theme", theme);
    try { localStorage.setItem("lore-theme", theme); } catch (e) { /* private mode */ }
  }

  var themeButton = document.querySelector(".theme-toggle");
  if (themeButton) {
    themeButton.hidden = false;
    themeButton.addEventListener("click", function () {
      setTheme(doc.getAttribute("data-theme") === "dark" ? "light" : "dark");
    });
  }
  // Follow the system setting until the reader picks a theme.
  if (window.matchMedia && doc.getAttribute("data-default-theme") === "auto") {
    var query = matchMedia("(prefers-color-scheme: dark)");
    var follow = function () {
      var t = storedTheme();
      if (!t || t === "auto") { doc.setAttribute("data-theme", query.matches ? "dark" : "light"); }
    };
    if (query.addEventListener) { query.addEventListener("change", follow); }
  }

  var navButton = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  if (navButton && sidebar) {
    navButton.hidden = false;
    var setOpen = function (open) {
      document.body.classList.toggle("nav-open", open);
      navButton.setAttribute("aria-expanded", open ? "true" : "false");
    };
    navButton.addEventListener("click", function () {
      var open = !document.body.classList.contains("nav-open");
      setOpen(open);
      // Into the opened sidebar, at the current page (Escape brings focus back to the button).
      if (open) {
        var here = sidebar.querySelector("[aria-current=page]") || sidebar.querySelector("a[href]");
        if (here) { here.focus(); }
      }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && document.body.classList.contains("nav-open")) {
        setOpen(false);
        navButton.focus();
      }
    });
    document.addEventListener("click", function (e) {
      if (document.body.classList.contains("nav-open") && !sidebar.contains(e.target) && !navButton.contains(e.target)) {
        setOpen(false);
      }
    });
    // Bring the current page into view in a long sidebar, without scrolling the page itself.
    var active = sidebar.querySelector("[aria-current=page]");
    if (active) {
      var top = active.getBoundingClientRect().top - sidebar.getBoundingClientRect().top;
      if (top > sidebar.clientHeight - 40) { sidebar.scrollTop = top - sidebar.clientHeight / 2; }
    }
  }

  // execCommand still works where the async clipboard API is missing or refused (plain http, iframes).
  function legacyCopy(text) {
    var area = document.createElement("textarea"), ok = false;
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject();
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }

  var icon = '<svg viewBox="0 0 16 16" aria-hidden="true"><rect x="5.5" y="5.5" width="8" height="8" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.3"/><path d="M10.5 3.5v-.5A1.5 1.5 0 0 0 9 1.5H4A1.5 1.5 0 0 0 2.5 3v5A1.5 1.5 0 0 0 4 9.5h.5" fill="none" stroke="currentColor" stroke-width="1.3"/></svg>';
  document.querySelectorAll("pre.code").forEach(function (pre) {
    var wrap = document.createElement("div");
    wrap.className = "code-wrap";
    var head = document.createElement("div");
    head.className = "code-head";
    var lang = pre.getAttribute("data-lang");
    if (lang) {
      var label = document.createElement("span");
      label.className = "code-lang";
      label.textContent = lang;
      head.appendChild(label);
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.innerHTML = icon + "<span>Copy</span>";
    button.setAttribute("aria-label", "Copy code to clipboard");
    var text = button.lastChild, timer;
    button.addEventListener("click", function () {
      var code = pre.querySelector("code");
      copyText(code ? code.innerText : pre.innerText).then(function () {
        text.textContent = "Copied";
        button.classList.add("copied");
      }, function () {
        text.textContent = "Press Ctrl+C";
      });
      clearTimeout(timer);
      timer = setTimeout(function () { text.textContent = "Copy"; button.classList.remove("copied"); }, 1600);
    });
    head.appendChild(button);
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(head);
    wrap.appendChild(pre);
  });

  /* A block that scrolls sideways must be reachable by keyboard: code blocks, wide tables and
     diagrams take focus while they overflow, checked again when the width changes (a phone
     turned sideways, a window resized). */
  var reachable = function () {
    document.querySelectorAll("pre, .table-wrap, .diagram").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) { el.tabIndex = 0; } else if (el.getAttribute("tabindex") === "0") { el.removeAttribute("tabindex"); }
    });
  };
  reachable();
  var resized = 0;
  window.addEventListener("resize", function () { cancelAnimationFrame(resized); resized = requestAnimationFrame(reachable); });

  /* Diagrams: a `mermaid` fence arrives as its source text in <pre class="mermaid">, readable
     without a script. A page holding one loads the theme's copy of mermaid after this script;
     each diagram is drawn into a figure before its source (page text is untrusted: strict
     mode, no click handlers, labels sanitized), and drawn again when the theme changes. A
     diagram mermaid cannot read keeps showing its source. */
  var sources = document.querySelectorAll("pre.mermaid");
  if (sources.length) {
    document.addEventListener("DOMContentLoaded", function () {
      var mermaid = window.mermaid;
      if (!mermaid) { return; }
      var diagrams = [], drawn = "", queue = Promise.resolve(), count = 0;
      sources.forEach(function (pre) {
        var figure = document.createElement("div");
        figure.className = "diagram";
        figure.hidden = true;
        pre.parentNode.insertBefore(figure, pre);
        diagrams.push({ pre: pre, figure: figure, text: pre.textContent });
      });
      var drawAll = function (theme) {
        // Labels are SVG text, not HTML, so markup in them stays text; a diagram's own
        // `%%{init}%%` may change neither that nor the security level (`secure` keys).
        mermaid.initialize({
          startOnLoad: false, securityLevel: "strict", theme: theme, suppressErrorRendering: true,
          htmlLabels: false, flowchart: { htmlLabels: false },
          secure: ["secure", "securityLevel", "startOnLoad", "maxTextSize", "suppressErrorRendering", "maxEdges", "htmlLabels", "dompurifyConfig"]
        });
        return diagrams.reduce(function (chain, d) {
          return chain.then(function () {
            return mermaid.render("lore-diagram-" + (++count), d.text).then(function (out) {
              d.figure.innerHTML = out.svg;
              d.figure.hidden = false;
              d.pre.hidden = true;
            }, function () {
              d.figure.hidden = true;
              d.pre.hidden = false;
              d.pre.classList.add("diagram-error");
            });
          });
        }, Promise.resolve());
      };
      var draw = function () {
        var theme = doc.getAttribute("data-theme") === "dark" ? "dark" : "default";
        if (theme === drawn) { return; }
        drawn = theme;
        // One drawing at a time: mermaid's settings are global.
        queue = queue.then(function () { return drawAll(theme); }).then(reachable);
      };
      draw();
      new MutationObserver(draw).observe(doc, { attributes: true, attributeFilter: ["data-theme"] });
    });
  }

  // Table of contents: mark the section being read.
  var tocLinks = document.querySelectorAll(".toc a[href^='#']");
  if (tocLinks.length) {
    var entries = [];
    tocLinks.forEach(function (a) {
      var target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
      if (target) { entries.push({ link: a, target: target }); }
    });
    var current = null;
    var update = function () {
      var line = parseFloat(getComputedStyle(doc).scrollPaddingTop) || 80, found = null;
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].target.getBoundingClientRect().top <= line + 8) { found = entries[i]; } else { break; }
      }
      if (window.scrollY > 0 && window.innerHeight + window.scrollY >= doc.scrollHeight - 2 && entries.length) { found = entries[entries.length - 1]; }
      if (found !== current) {
        if (current) { current.link.classList.remove("active"); current.link.removeAttribute("aria-current"); }
        if (found) { found.link.classList.add("active"); found.link.setAttribute("aria-current", "true"); }
        current = found;
      }
    };
    // Browsers fire scroll at most once a frame, and this reads a few rectangles: no throttle needed.
    window.addEventListener("scroll", update, { passive: true });
    update();
  }

  /* Search: the searcher and its index load on first use (focus, "/" or Ctrl/Cmd-K). */
  var searchBox = document.querySelector(".search[data-search-js]");
  if (searchBox) {
    var searchInput = searchBox.querySelector("input"), searchLoaded = false;
    var loadSearch = function () {
      if (searchLoaded) { return; }
      searchLoaded = true;
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = searchBox.getAttribute("data-search-css");
      document.head.appendChild(css);
      var js = document.createElement("script");
      js.src = searchBox.getAttribute("data-search-js");
      document.body.appendChild(js);
    };
    searchInput.addEventListener("focus", loadSearch);
    document.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName));
      if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey)) {
        e.preventDefault();
        // Where Escape in the search box brings focus back to.
        if (document.activeElement !== searchInput) { searchBox.loreReturnFocus = document.activeElement; }
        searchInput.focus();
      }
    });
    if (/[?&]q=/.test(location.search)) { loadSearch(); }
  }
  // Onboarding paths: tick steps; progress is remembered per site and path.
  document.querySelectorAll(".path-steps[data-path-key]").forEach(function (section) {
    var key = section.getAttribute("data-path-key");
    var steps = section.querySelectorAll(".step[data-step]");
    var status = section.querySelector(".path-progress");
    var done = {};
    try { done = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { done = {}; }
    var save = function () { try { localStorage.setItem(key, JSON.stringify(done)); } catch (e) {} };
    var render = function () {
      var count = 0, left = 0;
      steps.forEach(function (step) {
        var id = step.getAttribute("data-step"), ticked = !!done[id];
        step.classList.toggle("done", ticked);
        step.querySelector("input").checked = ticked;
        if (ticked) { count++; } else { left += parseInt(step.getAttribute("data-minutes"), 10) || 0; }
      });
      var time = left >= 60 ? "about " + Math.round(left / 30) / 2 + " h left" : left > 0 ? left + " min left" : "";
      status.textContent = count + " of " + steps.length + " done" + (time && count < steps.length ? " · " + time : "");
      status.hidden = false;
    };
    steps.forEach(function (step) {
      var box = step.querySelector("input");
      box.hidden = false;
      box.addEventListener("change", function () {
        var id = step.getAttribute("data-step");
        if (box.checked) { done[id] = true; } else { delete done[id]; }
        save();
        render();
      });
    });
    render();
  });

  // Decision log: sort by a column, filter by status.
  document.querySelectorAll(".adr-log").forEach(function (log) {
    var body = log.querySelector("tbody");
    var rows = Array.prototype.slice.call(body.rows);
    var filter = log.querySelector(".adr-filter");
    filter.hidden = false;
    filter.querySelectorAll("button").forEach(function (button) {
      button.addEventListener("click", function () {
        var want = button.getAttribute("data-status");
        filter.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        rows.forEach(function (row) { row.hidden = !!want && row.getAttribute("data-status") !== want; });
      });
    });
    log.querySelectorAll("th[data-sort]").forEach(function (th, column) {
      th.tabIndex = 0;
      var sort = function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        log.querySelectorAll("th[data-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var value = function (row) {
          var text = row.cells[column].textContent.trim();
          return column === 0 ? (parseInt(text, 10) || 0) : text.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = value(a), y = value(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });

  // Alerts page: filter rows by text, coverage state and paging (without a script the table
  // shows every alert).
  document.querySelectorAll(".alert-table-wrap").forEach(function (wrap) {
    var filter = wrap.querySelector(".alert-filter");
    var text = wrap.querySelector(".alert-filter-text");
    var state = wrap.querySelector(".alert-filter-state");
    var paging = wrap.querySelector(".alert-filter-paging");
    var rows = Array.prototype.slice.call(wrap.querySelectorAll("tbody tr"));
    filter.hidden = false;
    var apply = function () {
      var want = text.value.trim().toLowerCase();
      rows.forEach(function (row) {
        row.hidden = (want && row.textContent.toLowerCase().indexOf(want) < 0) ||
          (state.value && row.getAttribute("data-state") !== state.value) ||
          (paging.checked && row.getAttribute("data-paging") !== "yes");
      });
    };
    [text, state, paging].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
  });

  // Filterable tables (the services index): a text box and one select per `data-filter`
  // attribute of the rows; without a script every row shows.
  document.querySelectorAll(".table-filter-wrap").forEach(function (wrap) {
    var filter = wrap.querySelector(".table-filter");
    var text = wrap.querySelector(".table-filter-text");
    var selects = Array.prototype.slice.call(wrap.querySelectorAll("select[data-filter]"));
    var rows = Array.prototype.slice.call(wrap.querySelectorAll("tbody tr"));
    filter.hidden = false;
    var apply = function () {
      var want = text.value.trim().toLowerCase();
      rows.forEach(function (row) {
        row.hidden = (want && row.textContent.toLowerCase().indexOf(want) < 0) ||
          selects.some(function (s) { return s.value && row.getAttribute("data-" + s.getAttribute("data-filter")) !== s.value; });
      });
    };
    [text].concat(selects).forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
  });

  // Sortable tables (the freshness dashboard): without a script they stay plain tables in
  // their built order. Each cell may carry `data-sort`; numbers sort as numbers.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var heads = table.querySelectorAll("thead th");
    var key = function (row, i) {
      var cell = row.cells[i];
      return cell ? (cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim()) : "";
    };
    heads.forEach(function (th, i) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = rows.every(function (r) { var k = key(r, i); return k !== "" && !isNaN(k); });
        rows.sort(function (a, b) {
          var x = key(a, i), y = key(b, i);
          var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          return dir === "ascending" ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
