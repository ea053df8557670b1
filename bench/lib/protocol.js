// Request/response over postMessage for the benchmark workers. A classic script that only touches
// `self`, so classic workers importScripts() it and module workers `import` it for its effect.
//
//   page -> worker: {id, cmd, args}
//   worker -> page: {id, ok: true, result} | {id, ok: false, error}
//
// serve(handlers) answers each cmd with handlers[cmd](args) (sync or async), one at a time.
(function () {
  "use strict";
  let queue = Promise.resolve();
  self.BENCH_SERVE = function serve(handlers) {
    self.onmessage = (ev) => {
      const { id, cmd, args } = ev.data;
      queue = queue.then(async () => {
        try {
          const h = handlers[cmd];
          if (!h) throw new Error(`worker has no command ${cmd}`);
          const result = await h(args || {});
          self.postMessage({ id, ok: true, result });
        } catch (e) {
          self.postMessage({ id, ok: false, error: String((e && e.message) || e), stack: e && e.stack });
        }
      });
    };
    self.postMessage({ id: 0, ok: true, result: "ready" });
  };

  // Time n calls of fn(i) one by one; returns per-call milliseconds.
  self.BENCH_TIME = async function time(n, fn) {
    const ms = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await fn(i);
      ms.push(performance.now() - t0);
    }
    return ms;
  };
})();
