// Boot guard of every trainlab page: a classic script that the HTML loads before any module chunk
// (vite.config.js, bootScript(), puts it first in <head>). A module imported first is not enough:
// Vite's shared chunks (uPlot among them) may still evaluate before it.
//
// 1. The locale. uPlot builds Intl.NumberFormat(navigator.language) when its module loads. WebKit
//    under LANG=C.UTF-8 reports "C", which Intl refuses with a RangeError, and the page would stay at
//    "Loading…". An invalid tag becomes "en-US" here, before any module runs.
// 2. What the page needs and the browser lacks or refuses (WebAssembly, its SIMD instructions, a
//    site policy that blocks compiling WebAssembly), and any uncaught error or rejected promise,
//    shown as a visible message naming it (never a silent "Loading…"). IndexedDB is not checked
//    here: only the pages that keep runs use it, and they name its absence themselves and keep
//    training (www/sandbox/keepRuns.js, www/embed/keep.js); a note here would say it twice.
//
// Styles are set through element.style (allowed by style-src 'self'; a style="" attribute is not).
/* global window, document, navigator, console, WebAssembly */
(function () {
  "use strict";

  // ---- 1. locale ----
  function validTag(tag) {
    try {
      return typeof tag === "string" && Boolean(new Intl.NumberFormat(tag));
    } catch {
      return false;
    }
  }
  const reported = navigator.language;
  if (!validTag(reported)) {
    const langs = (navigator.languages || []).filter(validTag);
    const fallback = langs[0] || "en-US";
    Object.defineProperty(navigator, "language", { configurable: true, get: () => fallback });
    Object.defineProperty(navigator, "languages", { configurable: true, get: () => [fallback] });
    console.warn(`navigator.language "${String(reported).slice(0, 40)}" is not a valid locale; using "${fallback}"`);
  }

  // ---- 2. messages ----
  const shown = new Set();
  let box = null;

  function container() {
    if (box) return box;
    box = document.createElement("div");
    box.id = "boot-messages";
    box.setAttribute("role", "alert");
    Object.assign(box.style, {
      position: "fixed", top: "8px", left: "50%", transform: "translateX(-50%)", zIndex: "2147483647",
      maxWidth: "min(720px, calc(100vw - 16px))", display: "flex", flexDirection: "column", gap: "6px",
      font: "15px/1.4 system-ui, sans-serif",
    });
    return box;
  }

  function attach() {
    if (!box || box.isConnected) return;
    (document.body || document.documentElement).append(box);
  }

  /** Show `text` once per `key`; `fatal` messages are red, the others amber. */
  function show(key, text, fatal) {
    if (shown.has(key)) return;
    shown.add(key);
    const p = document.createElement("p");
    p.className = "boot-message";
    p.dataset.missing = key;
    p.textContent = text;
    Object.assign(p.style, {
      margin: "0", padding: "8px 36px 8px 12px", position: "relative", borderRadius: "6px", color: "#1f2937",
      border: `1px solid ${fatal ? "#e0a3a3" : "#e3c77a"}`, background: fatal ? "#fdecec" : "#fff8e1",
      boxShadow: "0 2px 8px rgba(0,0,0,0.15)", overflowWrap: "anywhere",
    });
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.title = "Dismiss";
    close.setAttribute("aria-label", "Dismiss this message");
    Object.assign(close.style, {
      position: "absolute", top: "4px", right: "6px", border: "0", background: "transparent",
      font: "inherit", fontSize: "18px", lineHeight: "1", cursor: "pointer", color: "#1f2937",
    });
    close.addEventListener("click", () => p.remove());
    p.append(close);
    container().append(p);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", attach, { once: true });
    else attach();
  }

  /** Cap an echoed text (an error's message may carry a whole link or file name). */
  function cap(s) {
    s = String(s);
    return s.length > 160 ? `${s.slice(0, 160)}…` : s;
  }

  // WebAssembly itself, its SIMD instructions (the core is built with them), and whether a site
  // policy lets the page compile it (script-src needs 'wasm-unsafe-eval').
  const EMPTY = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  // One function () -> v128 whose body is v128.const 0: valid only where SIMD is supported.
  const SIMD = new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0,
    0x0a, 0x16, 1, 0x14, 0, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b,
  ]);
  const STOP = " The training cannot start here.";
  if (typeof WebAssembly !== "object" || typeof WebAssembly.Module !== "function") {
    show("wasm", "This browser has no WebAssembly (it may be switched off, e.g. by a lockdown or " +
      "JIT-less mode)." + STOP, true);
  } else {
    try {
      new WebAssembly.Module(EMPTY);
      if (!WebAssembly.validate(SIMD)) {
        show("wasm-simd", "This browser's WebAssembly has no SIMD instructions, which the training core needs " +
          "(Chrome/Edge 91+, Firefox 89+, Safari 16.4+)." + STOP, true);
      }
    } catch (e) {
      show("wasm-csp", "WebAssembly is blocked by this site's Content-Security-Policy: its script-src needs " +
        `'wasm-unsafe-eval' (${cap(e && e.message)}).` + STOP, true);
    }
  }

  window.addEventListener("error", (e) => {
    // A script or stylesheet that failed to load reaches here (capture phase) as an event on its
    // element, without a message. Other elements (an <img> of the deck) are not the page failing.
    const el = e.target && e.target !== window ? e.target : null;
    if (el && !["SCRIPT", "LINK"].includes(el.tagName)) return;
    const what = e.message || (el && (el.src || el.href)) || "unknown";
    show(`error:${what}`, `The page hit an error: ${cap(what)}` +
      (e.filename ? ` (${cap(e.filename.split("/").pop())}:${e.lineno})` : ""), true);
  }, true);
  window.addEventListener("unhandledrejection", (e) => {
    const r = e.reason;
    const what = (r && (r.message || r.name)) || String(r);
    show(`rejection:${what}`, `The page hit an error: ${cap(what)}`, true);
  });
  // A site's stricter policy that refuses one of the page's own scripts, workers, frames or data
  // files is named too. Styles and images are not: a browser extension's injected style or image
  // is refused the same way, and the page works without them.
  const NEEDED = /^(script-src|worker-src|connect-src|frame-src|child-src|default-src)/;
  document.addEventListener("securitypolicyviolation", (e) => {
    const directive = e.effectiveDirective || e.violatedDirective || "";
    const uri = e.blockedURI || "";
    if (uri === "wasm-eval" || !NEEDED.test(directive) || !uri.startsWith(window.location.origin)) return;
    show(`csp:${directive} ${uri}`, `This site's Content-Security-Policy blocked ${cap(`${directive} ${uri}`)}; ` +
      "parts of the page may not work.", false);
  });

  window.trainlabBoot = { show, missing: () => [...shown] };
})();
