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

  // n timing samples; each sample times `group` consecutive calls of fn() and records the mean
  // milliseconds per call. Workers without cross-origin isolation get a 100 µs performance.now(),
  // so sub-millisecond steps are timed in groups (the driver picks `group` from the warm-up).
  self.BENCH_TIME = async function time(n, fn, group = 1) {
    const ms = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      for (let j = 0; j < group; j++) await fn();
      ms.push((performance.now() - t0) / group);
    }
    return ms;
  };
})();
