// What the page says about its connection (resources/viewer/status.js), pure.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NOT_STARTED, RECONNECTING, STATE_TEXT, status } from "../../../resources/viewer/status.js";
import { initialState } from "../../../resources/viewer/store.js";

const joined = { ...initialState(), phase: "joined" };

test("a joined page is live while the host is there, waiting while not", () => {
  assert.deepEqual(status(joined, true), { shown: "live", notice: { text: "", kind: "info" } });
  assert.deepEqual(status(joined, false).notice.text, NOT_STARTED);
  assert.match(status({ ...joined, hostSeen: true }, false).notice.text, /stepped away/);
  assert.equal(status(joined, false).shown, "waiting");
});

test("a resuming connection says it is reconnecting, host or not", () => {
  for (const host of [true, false]) {
    const shown = status({ ...joined, resuming: true }, host);
    assert.deepEqual(shown, { shown: "reconnecting", notice: { text: RECONNECTING, kind: "warning" } });
  }
});

test("other phases show as they are, with their own notice, whoever is in the room", () => {
  const ended = { ...initialState(), phase: "ended", notice: { text: "The show has ended", kind: "final" } };
  assert.deepEqual(status(ended, true), { shown: "ended", notice: ended.notice });
  assert.equal(STATE_TEXT[status(initialState(), false).shown], "Not joined");
});
