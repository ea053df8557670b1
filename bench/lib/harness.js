// The page side of the harness: spawn one Web Worker per contender and relay request/response
// messages (see lib/protocol.js). bench/run.mjs calls these through page.evaluate().
"use strict";
(function () {
  const workers = new Map(); // name -> {w, pending: Map(id -> {resolve, reject}), next}

  function attach(name, w) {
    const entry = { w, pending: new Map(), next: 1 };
    let readyResolve, readyReject;
    const ready = new Promise((res, rej) => { readyResolve = res; readyReject = rej; });
    w.onmessage = (ev) => {
      const { id, ok, result, error } = ev.data;
      if (id === 0) return readyResolve(result);
      const p = entry.pending.get(id);
      if (!p) return;
      entry.pending.delete(id);
      if (ok) p.resolve(result);
      else p.reject(new Error(error));
    };
    const fail = (ev) => {
      const msg = `worker ${name}: ${ev.message || "error"} ${ev.filename || ""}:${ev.lineno || ""}`;
      readyReject(new Error(msg));
      for (const p of entry.pending.values()) p.reject(new Error(msg));
      entry.pending.clear();
    };
    w.onerror = fail;
    w.onmessageerror = fail;
    workers.set(name, entry);
    return ready;
  }

  // type: "classic" | "module"
  window.benchSpawn = function (name, url, type) {
    if (workers.has(name)) workers.get(name).w.terminate();
    return attach(name, new Worker(url, { type, name }));
  };

  window.benchCall = function (name, cmd, args) {
    const entry = workers.get(name);
    if (!entry) return Promise.reject(new Error(`no worker ${name}`));
    const id = entry.next++;
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { resolve, reject });
      entry.w.postMessage({ id, cmd, args });
    });
  };

  window.benchKill = function (name) {
    const entry = workers.get(name);
    if (entry) entry.w.terminate();
    workers.delete(name);
  };
})();
