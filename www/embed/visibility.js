// Is the sandbox on screen? Three sources, because a frame in a deck cannot see its slide:
//   - reveal.js posts "slide:start" / "slide:stop" to the frames of the slide it shows / leaves
//     (once one came, the deck's word counts: a slide left behind may still intersect the viewport
//     with a "fade" or "none" transition);
//   - an IntersectionObserver (a frame scrolled out of a course page, or a slide moved off-screen);
//   - the document's visibilitychange (another browser tab, a minimized window).
// onChange(visible) is called on every change, and once at the start.

export function createVisibility({ win, onChange }) {
  const doc = win.document;
  let deckSays = null;          // null until reveal.js speaks, then true/false
  let intersecting = true;      // the observer's word (it always reports once at the start)
  let last = null;

  const visible = () => deckSays !== false && intersecting && doc.visibilityState === "visible";
  function update() {
    const v = visible();
    if (v === last) return;
    last = v;
    onChange(v);
  }

  win.addEventListener("message", (ev) => {
    if (ev.source !== win.parent || win.parent === win) return;
    if (ev.data === "slide:start") deckSays = true;
    else if (ev.data === "slide:stop") deckSays = false;
    else return;
    update();
  });
  doc.addEventListener("visibilitychange", update);

  // The first decision waits for the observer's first report, so an off-screen frame never starts.
  if ("IntersectionObserver" in win) {
    new win.IntersectionObserver((entries) => {
      intersecting = entries[entries.length - 1].isIntersecting;
      update();
    }, { threshold: 0 }).observe(doc.body);
  } else {
    queueMicrotask(update);
  }
  return { get visible() { return visible(); } };
}
