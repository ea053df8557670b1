// Host API of an embedded sandbox (issue 8): the page that embeds `embed.html#…` in an <iframe>
// drives it with postMessage and receives its events. Protocol version 1 (README "Host API"):
//
//   host → frame   { trainlab: 1, id, command, args }
//                  command: play | pause | reset | set (args: settings in link form, e.g. { lr: 0.05 })
//                           | scenario (args: { id }) | state
//   frame → host   { trainlab: 1, id, ok: true, result }  or  { trainlab: 1, id, ok: false, error }
//                  { trainlab: 1, event: ready | step | evaluation | diverged | problem, … }
//
// Security: a command is taken only from the parent window and only from an origin in the
// allow-list (the link's `origin=` key; default the frame's own origin). A message from any other
// origin gets no reply at all — posting to it would tell an arbitrary page what the sandbox does —
// and the frame says once, in its own notice line, which origin was ignored. Events go to the parent
// with an explicit targetOrigin, never "*", for the same reason.
//
// DOM-light on purpose: everything comes in through `win` (addEventListener, parent, location) and
// `control`, so the Node tests drive it with fakes.

import { normalizeOrigin } from "./embedLink.js";
import { showValue } from "../showValue.js";

export const PROTOCOL_VERSION = 1;

/** The commands and the facade method each one calls. */
const COMMANDS = ["play", "pause", "reset", "set", "scenario", "state"];

/** Step reports arrive many times a second; the host gets at most one per run per this interval. */
export const STEP_INTERVAL_MS = 500;

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** A short printable form of a value for error messages: NaN named, never the whole of a big object. */
const show = (value) => showValue(value);

/**
 * The allow-list as exact origins, by the frame link's own rule (embedLink.js normalizeOrigin). An
 * entry that is not an http(s) origin ("*", "null", a typo) is named in a notice and dropped: "*"
 * would let any page drive the sandbox, and postMessage cannot target "null".
 */
function cleanOrigins(list, ownOrigin, notice) {
  const given = (list ?? []).map((o) => String(o).trim()).filter((o) => o !== "");
  const good = [];
  for (const entry of given) {
    const origin = normalizeOrigin(entry);
    if (origin !== null) {
      if (!good.includes(origin)) good.push(origin);
    } else {
      notice(`Link key origin= has "${entry}", which is not an origin like https://slides.example.org — ignored.`);
    }
  }
  return given.length > 0 ? good : [ownOrigin];
}

/** Settings from a "set" command in the facade's link form ({ key: text }), or an error text. */
function linkSettings(args) {
  if (!isPlainObject(args)) return { error: `"set" needs args like { lr: 0.05 } (got ${show(args)})` };
  const keys = Object.keys(args);
  if (keys.length === 0) return { error: `"set" needs at least one setting, e.g. { lr: 0.05 }` };
  const settings = {};
  for (const key of keys) {
    const v = args[key];
    if (typeof v === "string") settings[key] = v;
    else if (typeof v === "number" && Number.isFinite(v)) settings[key] = String(v);
    else if (typeof v === "boolean") settings[key] = v ? "1" : "0";   // on/off keys are 1/0 in links
    else return { error: `setting "${key}" has a bad value ${show(v)}: use a string, number or boolean` };
  }
  return { settings };
}

/** True when args are absent or an empty object (commands without arguments). */
const noArgs = (args) => args === undefined || args === null || (isPlainObject(args) && Object.keys(args).length === 0);

/**
 * Call the facade for one command; resolves to the result or rejects with an Error whose message
 * names what was wrong.
 */
async function run(control, command, args) {
  switch (command) {
    case "set": {
      const { settings, error } = linkSettings(args);
      if (error) throw new Error(error);
      return control.set(settings);
    }
    case "scenario": {
      const id = typeof args === "string" ? args : args?.id;
      if (typeof id !== "string" || id === "") {
        throw new Error(`"scenario" needs args { id: "<scenario id>" } (got ${show(args)})`);
      }
      return control.scenario(id);
    }
    default:
      if (!noArgs(args)) throw new Error(`"${command}" takes no args (got ${show(args)})`);
      return control[command]();
  }
}

/**
 * Per-run throttle of step reports: the first report of a quiet run goes out at once, later ones
 * wait for the interval to end and only the latest waiting one is sent.
 */
function createStepThrottle(send, timers) {
  const runs = new Map();   // runId → { timer, pending }
  const tick = (runId) => {
    const entry = runs.get(runId);
    if (entry.pending) {
      send(entry.pending);
      entry.pending = null;
      entry.timer = timers.setTimeout(() => tick(runId), STEP_INTERVAL_MS);
    } else {
      runs.delete(runId);
    }
  };
  return {
    push(report) {
      const entry = runs.get(report.runId);
      if (entry) {
        entry.pending = report;   // the latest wins
        return;
      }
      send(report);
      runs.set(report.runId, { pending: null, timer: timers.setTimeout(() => tick(report.runId), STEP_INTERVAL_MS) });
    },
    stop() {
      for (const { timer } of runs.values()) timers.clearTimeout(timer);
      runs.clear();
    },
  };
}

/** The facade's event in the protocol's form, or null for events the host does not get. */
function toHostEvent(e) {
  switch (e?.event) {
    case "ready":
      return { event: "ready" };
    case "report":
      return { event: "step", runId: e.runId, step: e.step, loss: e.loss };
    case "eval":
      return {
        event: "evaluation", runId: e.runId, step: e.step,
        valAccuracy: e.valAccuracy, trainAccuracy: e.trainAccuracy, valLoss: e.valLoss,
      };
    case "diverged":
      return { event: "diverged", runId: e.runId, step: e.step, what: e.what };
    case "problem":
      return { event: "problem", message: e.message };
    default:
      return null;
  }
}

/**
 * Start the host API in the frame `win`.
 * - control: the embed facade (www/embed/control.js): play/pause/reset/set/scenario/state/onEvent.
 * - allowedOrigins: exact origins from the link's `origin=` key; empty or absent = the frame's own.
 * - notice(text): shows a warning line inside the frame (required).
 * - timers: { setTimeout, clearTimeout } (the globals by default; tests pass fakes).
 * Returns { destroy() }, which stops listening, unsubscribes and clears the throttle's timers.
 */
export function createHostApi({ win, control, allowedOrigins, notice, timers = globalThis }) {
  const ownOrigin = win.location.origin;
  const allowed = cleanOrigins(allowedOrigins, ownOrigin, notice);
  const framed = win.parent != null && win.parent !== win;
  const told = new Set();   // notices already shown, so a chatty page does not flood the frame

  const sayOnce = (key, text) => {
    if (told.has(key)) return;
    told.add(key);
    notice(text);
  };

  // Where events go. Chromium tells the frame its parent's origin (location.ancestorOrigins); when it
  // is known only that origin is posted to (if allowed), else every allowed origin — the browser
  // delivers only the one matching the parent. A command from an allowed origin settles it too.
  let parentOrigin = win.location.ancestorOrigins?.[0] ?? null;
  const targets = () => (parentOrigin === null ? allowed : allowed.filter((o) => o === parentOrigin));

  const post = (message) => {
    if (!framed) return;
    for (const origin of targets()) win.parent.postMessage({ trainlab: PROTOCOL_VERSION, ...message }, origin);
  };
  const throttle = createStepThrottle(post, timers);

  const reply = (event, id, body) => {
    const message = { trainlab: PROTOCOL_VERSION, id, ...body };
    try {
      event.source.postMessage(message, event.origin);
    } catch (err) {
      // A result the browser cannot clone (it should not happen: state() is plain data); say why.
      event.source.postMessage({ trainlab: PROTOCOL_VERSION, id, ok: false, error: `the reply could not be sent: ${err.message}` }, event.origin);
    }
  };

  // A command that fails is answered with the error and also shown in the frame, so the person at the
  // slide sees why nothing happened (once per distinct error: a host retrying does not flood it).
  const fail = (event, id, error, command) => {
    reply(event, id, { ok: false, error });
    sayOnce(`error ${error}`, `Host command ${command ? `"${command}" ` : ""}failed: ${error}`);
  };

  const onMessage = (event) => {
    const data = event.data;
    // reveal.js's "slide:start" strings and any other page's messages are not ours.
    if (!isPlainObject(data) || !("trainlab" in data)) return;
    if (!allowed.includes(event.origin)) {
      sayOnce(`origin ${event.origin}`, `Ignored a host message from ${event.origin}: this sandbox takes commands only from ` +
        `${allowed.join(", ")} (add it to the link's origin= key to allow it).`);
      return;
    }
    if (event.source !== win.parent || !framed) {
      sayOnce("source", `Ignored a host message from ${event.origin} that did not come from the page embedding this sandbox.`);
      return;
    }
    parentOrigin = event.origin;
    const id = data.id ?? null;
    if (id !== null && typeof id !== "string" && !(typeof id === "number" && Number.isFinite(id))) {
      fail(event, null, `message id must be a string or a number (got ${show(id)})`);
      return;
    }
    if (data.trainlab !== PROTOCOL_VERSION) {
      const text = `Host message has trainlab version ${show(data.trainlab)}; this sandbox speaks version ${PROTOCOL_VERSION}.`;
      sayOnce(`version ${show(data.trainlab)}`, text);
      reply(event, id, { ok: false, error: `unsupported version ${show(data.trainlab)}: this sandbox speaks trainlab version ${PROTOCOL_VERSION} (supported: [${PROTOCOL_VERSION}])` });
      return;
    }
    const { command, args } = data;
    if (!COMMANDS.includes(command)) {
      const what = command === undefined ? "no command" : `unknown command ${show(command)}`;
      fail(event, id, `${what}: known commands are ${COMMANDS.join(", ")}`);
      return;
    }
    run(control, command, args).then(
      (result) => reply(event, id, { ok: true, result: result ?? null }),
      (err) => fail(event, id, err?.message ?? String(err), command),
    );
  };

  const unsubscribe = control.onEvent((e) => {
    const message = toHostEvent(e);
    if (message === null) return;
    if (message.event === "step") throttle.push(message);
    else post(message);
  });
  win.addEventListener("message", onMessage);

  return {
    destroy() {
      win.removeEventListener("message", onMessage);
      unsubscribe?.();
      throttle.stop();
    },
  };
}
