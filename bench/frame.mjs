// What the page's heaviest frame is made of (issue 11: the main thread's longest task ≤ 50 ms), in
// headless Chromium on the production build: four runs training at 1366×768 (the link of the
// four-runs test in tests/e2e/screenshots.test.mjs), the main thread traced for --seconds.
//
//   node bench/frame.mjs [--seconds=60] [--windows=1] [--top=5] [--tree] [--save=PREFIX] [--link=#…] [--width=1366] [--height=768]
//
// Prints per window: the number of main-thread tasks, the longest by CPU time (the trace's `tdur`:
// the thread's own time, not the time the OS kept it off a core) and wall time, and for the --top
// longest tasks the CPU time of what they are made of (the trace's events under them: FunctionCall,
// UpdateLayoutTree, Layout, Paint, …, self time). The page's own side: every drawn frame's time in
// each view's draw() and the table (wrapped in the page), for the frames whose draw took longest.
// Run by hand (not part of make test). Builds dist/ (or TRAINLAB_DIST) when missing, like the e2e tests.

import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { launchBrowser, startServer, waitReady } from "../tests/e2e/helpers.mjs";

const opt = (name, dflt) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const SECONDS = Number(opt("seconds", "60"));
const WINDOWS = Number(opt("windows", "1"));
const TOP = Number(opt("top", "5"));
const LINK = opt("link", "#train=500&steps=2000&seed=1|mixup=0.8|cutmix=1|ls=0.1");
const WIDTH = Number(opt("width", "1366")), HEIGHT = Number(opt("height", "768"));

const CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.stack",
  "disabled-by-default-devtools.timeline.invalidationTracking",
  "blink", "v8.execute"];

/** The renderer's main thread's events, and its top-level tasks with their breakdown. */
function analyse(events) {
  const main = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")
    .map((e) => `${e.pid}:${e.tid}`));
  const onMain = events.filter((e) => e.ph === "X" && main.has(`${e.pid}:${e.tid}`) && e.dur > 0)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks = onMain.filter((e) => e.name === "RunTask");
  // Self CPU time per event name inside one task (children nested by their time spans).
  const breakdown = (task) => {
    const end = task.ts + task.dur;
    const inside = onMain.filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= end &&
      e.pid === task.pid && e.tid === task.tid);
    const self = new Map();
    const stack = [];
    const cpu = (e) => (e.tdur ?? e.dur) / 1000;
    const close = (upTo) => {
      while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= upTo) stack.pop();
    };
    let topChildren = 0;
    for (const e of inside) {
      close(e.ts);
      const parent = stack[stack.length - 1];
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - cpu(e)); else topChildren += cpu(e);
      self.set(e.name, (self.get(e.name) ?? 0) + cpu(e));
      stack.push(e);
    }
    self.set("(task itself)", cpu(task) - topChildren);
    return [...self].filter(([, ms]) => ms >= 0.5).sort((a, b) => b[1] - a[1]);
  };
  // The task's tree of events of ≥ 0.3 ms CPU, indented by depth (which layout a script forced).
  const tree = (task) => {
    const end = task.ts + task.dur;
    const out = [];
    const stack = [task];
    for (const e of onMain) {
      if (e === task || e.ts < task.ts || e.ts + e.dur > end || e.tid !== task.tid || e.pid !== task.pid) continue;
      while (stack.length > 1 && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
      const ms = (e.tdur ?? e.dur) / 1000;
      const b = e.args?.beginData;
      const what = e.args?.data?.functionName || e.args?.data?.url?.split("/").pop() || e.args?.data?.type ||
        (b?.totalObjects ? `${b.dirtyObjects}/${b.totalObjects} objects dirty${b.partialLayout ? ", partial" : ""}` : "");
      if (ms >= 0.3) out.push(`${"  ".repeat(stack.length)}${e.name}${what ? ` (${what})` : ""} ${ms.toFixed(1)}`);
      // A layout forced by a script: where (needs the timeline.stack category).
      const st = e.args?.beginData?.stackTrace ?? e.args?.data?.stackTrace;
      if (ms >= 0.3 && st?.length) {
        out.push(...st.slice(0, 8).map((c) => `${"  ".repeat(stack.length + 1)}at ${c.functionName || "?"} ${c.url.split("/").pop()}:${c.lineNumber}`));
      }
      stack.push(e);
    }
    return out;
  };
  // What made layout dirty before the longest task (invalidationTracking: the node and the reason).
  const invalidations = (task) => {
    const prev = tasks.filter((t) => t.ts + t.dur <= task.ts).slice(-1)[0];
    const from = prev ? prev.ts : task.ts - 100000;
    const counts = new Map();
    for (const e of events) {
      if (!/InvalidationTracking/.test(e.name) || e.ts < from || e.ts > task.ts + task.dur) continue;
      const d = e.args?.data ?? {};
      const k = `${e.name.replace("InvalidationTracking", "")} ${d.nodeName ?? ""} ${d.reason ?? d.changedAttribute ?? ""}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `${n}× ${k}`);
  };
  const list = tasks.map((t) => ({ t, cpu: (t.tdur ?? t.dur) / 1000, wall: t.dur / 1000 }));
  const byCpu = [...list].sort((a, b) => b.cpu - a.cpu);
  return {
    count: list.length,
    longestCpu: byCpu[0]?.cpu ?? 0,
    longestWall: Math.max(0, ...list.map((x) => x.wall)),
    over: (ms) => list.filter((x) => x.cpu > ms).length,
    top: byCpu.slice(0, TOP).map((x) => ({ cpu: x.cpu, wall: x.wall, parts: breakdown(x.t) })),
    tree: byCpu[0] ? tree(byCpu[0].t) : [],
    invalidations: byCpu[0] ? invalidations(byCpu[0].t) : [],
  };
}

/** Wrap the views' draw()s and the table's update in the page: each frame's ms per part. */
function instrument() {
  const s = window.trainlab.sandbox;
  const v = s.views;
  window.__frames = [];
  let cur = null;
  const wrap = (obj, name, label) => {
    if (!obj || typeof obj[name] !== "function") return;
    const f = obj[name].bind(obj);
    obj[name] = (...args) => {
      const t = performance.now();
      try { return f(...args); } finally {
        if (cur) cur[label] = (cur[label] ?? 0) + performance.now() - t;
      }
    };
  };
  for (const k of ["lossChart", "accChart", "lrChart", "ratioChart", "calChart", "confusionView", "diagnosis", "preview"]) {
    wrap(v[k], "draw", k);
  }
  wrap(v.table, "update", "table");
  // A frame starts with the first rAF callback after the last one; the page's drawStats counts them.
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((now) => {
    cur = { at: now };
    const t = performance.now();
    cb(now);
    queueMicrotask(() => queueMicrotask(() => {
      cur.total = performance.now() - t;
      window.__frames.push(cur);
      cur = null;
    }));
  });
}

const server = await startServer();
const browser = await launchBrowser();
const f = (x) => x.toFixed(1);
try {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: HEIGHT } });
  const page = await context.newPage();
  await page.goto(server.url + LINK);
  await waitReady(page, 120000);
  await page.evaluate(instrument);
  await page.click("#playpause");
  for (let w = 0; w < WINDOWS; w++) {
    await browser.startTracing(page, { categories: CATEGORIES });
    await page.evaluate(() => { window.__frames = []; });
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const trace = await browser.stopTracing();
    if (opt("save", "")) writeFileSync(`${opt("save", "")}-${w + 1}.json`, trace);
    const frames = await page.evaluate(() => window.__frames);
    const steps = await page.evaluate(() => window.trainlab.runs.map((r) => r.step).join(", "));
    const a = analyse(JSON.parse(trace.toString()).traceEvents);
    console.log(`window ${w + 1} (${SECONDS} s, steps ${steps}): ${a.count} main-thread tasks; longest ` +
      `${f(a.longestCpu)} ms CPU (${a.over(50)} over 50 ms, ${a.over(35)} over 35 ms); longest wall ${f(a.longestWall)} ms; ` +
      `load average ${loadavg()[0].toFixed(1)}`);
    for (const t of a.top) {
      console.log(`  task ${f(t.cpu)} ms CPU / ${f(t.wall)} ms wall: ` +
        t.parts.map(([n, ms]) => `${n} ${f(ms)}`).join(", "));
    }
    if (process.argv.includes("--tree")) {
      console.log(`  the longest task's events:\n${a.tree.join("\n")}`);
      console.log(`  invalidations since the task before it:\n    ${a.invalidations.join("\n    ")}`);
    }
    const heavy = frames.filter((x) => x.total != null).sort((x, y) => y.total - x.total).slice(0, TOP);
    console.log(`  page side, ${frames.length} frames; the heaviest (ms, wall, own code only):`);
    for (const fr of heavy) {
      console.log(`    ${f(fr.total)}: ` + Object.entries(fr).filter(([k]) => k !== "at" && k !== "total")
        .sort((x, y) => y[1] - x[1]).map(([k, ms]) => `${k} ${f(ms)}`).join(", "));
    }
  }
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
