/* lore default theme: theme toggle, mobile navigation, copy buttons. No dependencies. */
(function () {
  "use strict";
  var doc = document.documentElement;

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

  var navButton = document.querySelector(".nav-toggle");
  var sidebar = document.getElementById("sidebar");
  if (navButton && sidebar) {
    navButton.hidden = false;
    navButton.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      navButton.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && document.body.classList.contains("nav-open")) {
        document.body.classList.remove("nav-open");
        navButton.setAttribute("aria-expanded", "false");
        navButton.focus();
      }
    });
    var active = sidebar.querySelector("[aria-current=page]");
    if (active && active.scrollIntoView) { active.scrollIntoView({ block: "center" }); window.scrollTo(0, 0); }
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy") ? resolve() : reject(); } catch (e) { reject(e); }
      document.body.removeChild(area);
    });
  }

  document.querySelectorAll("pre.code").forEach(function (pre) {
    var wrap = document.createElement("div");
    wrap.className = "code-wrap";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy code to clipboard");
    button.addEventListener("click", function () {
      var code = pre.querySelector("code");
      copyText(code ? code.innerText : pre.innerText).then(function () {
        button.textContent = "Copied";
        button.classList.add("copied");
      }, function () {
        button.textContent = "Press Ctrl+C";
      });
      setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1600);
    });
    wrap.appendChild(button);
  });
})();
