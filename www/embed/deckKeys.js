// A deck's navigation keys pressed inside the frame go to the deck. After a click into a sandbox
// the frame has the keyboard focus, so without this the arrows and PageUp/PageDown would stop
// advancing the slides. The keys are sent with reveal.js's postMessage API (the deck calls
// Reveal.right(), Reveal.next(), …); other hosts ignore them.
//
// Exceptions, so the sandbox stays usable: arrows and Home/End typing in a setting's box or choosing
// in a list act there. Space is the sandbox's play/pause while it is visible; on a slide that is not
// shown (the frame kept the focus) it advances the deck like everywhere else.

const METHODS = {
  ArrowRight: ["right"], ArrowLeft: ["left"], ArrowUp: ["up"], ArrowDown: ["down"],
  PageDown: ["next"], PageUp: ["prev"], Home: ["slide", 0], End: ["slide", Number.MAX_SAFE_INTEGER],
};
const EDITING_KEYS = new Set(["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Home", "End"]);

export function forwardDeckKeys({ win, isVisible }) {
  if (win.parent === win) return () => {};
  const onKey = (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    const editing = t instanceof win.HTMLInputElement || t instanceof win.HTMLSelectElement
      || t instanceof win.HTMLTextAreaElement || t?.isContentEditable;
    let call = METHODS[ev.key];
    if (ev.key === " " && !isVisible() && !editing) call = ["next"];
    if (!call || (editing && EDITING_KEYS.has(ev.key))) return;
    ev.preventDefault();
    ev.stopPropagation();
    const [method, ...args] = call;
    // reveal.js reads only JSON strings of this shape; nothing in it is private, so any origin may read it.
    win.parent.postMessage(JSON.stringify({ method, args }), "*");
  };
  win.addEventListener("keydown", onKey, true);
  return () => win.removeEventListener("keydown", onKey, true);
}
