// The lecture's deck: reveal.js 6 from npm (bundled by Vite, so the deck needs no network), the
// pictures shown instead of the sandboxes when printing, the keyboard focus, and the offline cache.

import Reveal from "reveal.js";
import "reveal.js/reveal.css";
// The "serif" theme is reveal.js's theme template without bundled fonts (white-contrast inlines
// 570 kB of Source Sans Pro, which the offline cache would make every visitor of the page download);
// deck.css sets white-contrast's colours on it with the system's sans-serif font, as the page uses.
import "reveal.js/theme/serif.css";
import "./deck.css";

// Bundling the pictures through Vite gives them hashed URLs in dist/assets/, which the service
// worker precaches like every other built file. They are set as data-src: reveal.js loads them only
// for slides near the current one, and every slide in print view (?print-pdf), where the CSS shows
// the picture instead of the frame.
const PICTURES = import.meta.glob("./pictures/*.png", { eager: true, query: "?url", import: "default" });
for (const box of document.querySelectorAll(".sandbox[data-picture]")) {
  const url = PICTURES[`./pictures/${box.dataset.picture}.png`];
  if (url) box.querySelector("img").dataset.src = url;
  else console.warn(`slide "${box.dataset.picture}" has no picture yet: run scripts/slide-pictures.mjs`);
}

// The service worker lives at the root of the build (beside index.html), so the deck registers it
// with that folder as scope; a first visit then caches the deck, the sandbox page and the wasm.
if (import.meta.env.PROD && "serviceWorker" in navigator && location.protocol !== "file:") {
  navigator.serviceWorker.register("../sw.js", { scope: "../" })
    .catch((e) => console.warn("offline cache unavailable:", e.message));
}

// Print view (?print-pdf): reveal.js lays out every slide at once, and would load every frame.
const printing = /print-pdf|view=print/.test(location.search);

Reveal.initialize({
  width: 1280,
  height: 720,
  margin: 0.04,
  hash: true,             // #/<slide id>: a link (and a test) can open any slide
  postMessage: true,      // the sandboxes forward the navigation keys as {"method": "right"} etc.
  // A frame loads (page only: the sandbox fetches and compiles the wasm when it is first shown)
  // when its slide comes within one step of the current one, so a slide's sandbox starts training
  // soon after the slide appears; it is paused (reveal.js posts slide:stop) when its slide is left,
  // and unloaded two slides away, keeping its run in IndexedDB until it is loaded again. Printing
  // shows pictures instead, so no frame loads then.
  preloadIframes: !printing,
  viewDistance: 2,
  transitionSpeed: "fast",
  controlsTutorial: false,
});

// A click into a sandbox gives that frame the keyboard. When the slide changes the frame is
// unloaded or hidden; take the focus back so the deck's own keys (and Esc, F, B…) keep working.
Reveal.on("slidechanged", () => {
  if (document.activeElement instanceof HTMLIFrameElement) document.activeElement.blur();
  window.focus();
});
