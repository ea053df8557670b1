// CPU accounting from Linux's /proc, for the scaling measurement (bench/scaling.mjs): how many cores
// the benchmark's own browser (every process below this Node process) kept busy during a window,
// and how many went to everything else on the machine. On a shared machine this says whether a
// poor scaling ratio is trainlab's or the other tenants'. Without /proc every figure is null.
import fs from "node:fs";
import process from "node:process";
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";

// Clock ticks per second of /proc's counters (USER_HZ; 100 on every usual Linux).
const TICK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

// /proc/<pid>/stat: "pid (comm) state ppid ... utime stime ...". comm may hold spaces and
// parentheses, so the fields are counted from the last ")": state is field 3, ppid 4, utime 14,
// stime 15 (proc(5)).
function processTable() {
  const table = new Map(); // pid -> {ppid, ticks}
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let s;
    try {
      s = fs.readFileSync(`/proc/${name}/stat`, "utf8");
    } catch (e) {
      continue; // the process ended between readdir and read
    }
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    table.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
  }
  return table;
}

function descendantTicks(table, root) {
  const children = new Map();
  for (const [pid, p] of table) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  let ticks = 0;
  const todo = [...(children.get(root) || [])];
  while (todo.length) {
    const pid = todo.pop();
    ticks += table.get(pid).ticks;
    todo.push(...(children.get(pid) || []));
  }
  return ticks;
}

/** Counters now, or null where /proc cannot be read. */
export function cpuSnapshot() {
  try {
    // first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ... (ticks, all cores)
    const v = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    return {
      ms: performance.now(),
      steal: v[7] || 0,
      busy: total - v[3] - v[4] - (v[7] || 0),
      bench: descendantTicks(processTable(), process.pid),
    };
  } catch (e) {
    return null;
  }
}

/**
 * Cores in use between two snapshots: `bench` by this process's descendants (the browser),
 * `others` by every other process (busy − bench), `steal` taken from this VM by the hypervisor.
 */
export function coresBetween(a, b) {
  if (!a || !b) return null;
  const sec = (b.ms - a.ms) / 1000;
  const cores = (ticks) => ticks / TICK / sec;
  const bench = cores(b.bench - a.bench);
  return { seconds: sec, bench, others: Math.max(0, cores(b.busy - a.busy) - bench), steal: cores(b.steal - a.steal) };
}
