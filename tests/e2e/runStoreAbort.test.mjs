// www/store/runs.js without a browser: abortOpen() ends every transaction the run store has under
// way, reads as well as saves. A page WebKit freezes in its back/forward cache keeps them open, and
// a frozen one locks the saved runs for the next visit (www/store/workspace.js aborts on pagehide).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRunStore } from "../../www/store/runs.js";

/** A database whose transactions never finish until aborted; `made` lists them. */
function frozenDb() {
  const made = [];
  const pending = () => new Promise(() => {});
  const objectStore = () => ({ get: pending, getKey: pending, getAll: pending, getAllKeys: pending, put: pending });
  return {
    made,
    transaction(stores, mode = "readonly") {
      let abort;
      const done = new Promise((_, reject) => { abort = reject; });
      const tx = {
        stores, mode, aborted: false, done, store: objectStore(), objectStore,
        abort() { this.aborted = true; abort(new Error("aborted")); },
      };
      made.push(tx);
      return tx;
    },
  };
}

test("abortOpen aborts the reads under way, not only the saves", async () => {
  const db = frozenDb();
  const store = createRunStore(db);
  store.load("run-1");
  store.loadWorkspace("page");
  store.loadDataSet("abc");
  store.list();
  store.save([{ record: { id: "run-2" }, state: {} }]).catch(() => {});
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(db.made.map((tx) => tx.mode), ["readonly", "readonly", "readonly", "readonly", "readwrite"]);
  assert.ok(db.made.every((tx) => !tx.aborted));

  store.abortOpen();
  assert.deepEqual(db.made.filter((tx) => !tx.aborted).map((tx) => tx.stores), []);
});

test("a transaction that finished is not aborted again", async () => {
  const db = frozenDb();
  const store = createRunStore(db);
  store.load("run-1");
  const [tx] = db.made;
  tx.abort(); // finished (here: by the browser) before the page leaves
  await tx.done.catch(() => {});
  tx.aborted = false;
  store.abortOpen();
  assert.equal(tx.aborted, false);
});
