// The host API example (examples/host.html): sends commands to the embedded sandbox and logs its
// replies and events. This is what a course page or a slide deck's own script would do.

const PROTOCOL = 1;
const LOG_LIMIT = 200;   // step events arrive twice a second; keep the page small

const frame = document.getElementById("sandbox");
if (location.hash.length > 1) {
  const src = new URL(frame.getAttribute("src"), location.href);
  src.hash = location.hash;
  frame.src = src.href;
}
// Commands go to the frame's origin only (never "*"), and only its messages are read.
const frameOrigin = new URL(frame.src, location.href).origin;

const log = document.getElementById("log");
const stateOut = document.getElementById("state");
// The state's link is one long line; wrap it (set here so the example stays two files).
Object.assign(stateOut.style, { whiteSpace: "pre-wrap", overflowWrap: "anywhere" });

function addLog(kind, text, detail) {
  const li = document.createElement("li");
  li.dataset.kind = kind;
  if (detail !== undefined) li.dataset.detail = JSON.stringify(detail);
  li.textContent = `${new Date().toLocaleTimeString()}  ${kind}: ${text}`;
  log.prepend(li);
  while (log.children.length > LOG_LIMIT) log.lastElementChild.remove();
}

let nextId = 1;
const waiting = new Map();   // id → { resolve, reject }

/** Send a command; resolves with the reply's result or rejects with its error. */
function send(command, args) {
  const id = nextId++;
  frame.contentWindow.postMessage({ trainlab: PROTOCOL, id, command, args }, frameOrigin);
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}

window.addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow || e.origin !== frameOrigin) return;
  const msg = e.data;
  if (msg === null || typeof msg !== "object" || msg.trainlab !== PROTOCOL) return;
  if ("ok" in msg) {
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    addLog("reply", msg.ok ? `#${msg.id} ok` : `#${msg.id} error: ${msg.error}`, { id: msg.id, ok: msg.ok, error: msg.error });
    if (w) (msg.ok ? w.resolve(msg.result) : w.reject(new Error(msg.error)));
  } else if (msg.event) {
    const details = { ...msg };
    delete details.trainlab;
    delete details.event;
    addLog(msg.event, JSON.stringify(details), details);
  }
});

const run = (command, args) => send(command, args).catch((err) => { stateOut.textContent = `Error: ${err.message}`; });

document.getElementById("play").addEventListener("click", () => run("play"));
document.getElementById("pause").addEventListener("click", () => run("pause"));
document.getElementById("set-lr").addEventListener("click", () => run("set", { lr: 0.05 }));
document.getElementById("get-state").addEventListener("click", async () => {
  const state = await send("state").catch((err) => ({ error: err.message }));
  stateOut.textContent = JSON.stringify(state, null, 2);
});
