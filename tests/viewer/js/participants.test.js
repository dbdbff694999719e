// Who has a hand, and in what order (resources/viewer/participants.js), as the host reads it.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  handQueue,
  handRaisedAt,
  queuePosition,
  roleOf,
} from "../../../resources/viewer/participants.js";

const person = (identity, role, hand) => ({
  identity,
  metadata: JSON.stringify({ role, displayName: identity }),
  attributes: hand === undefined ? {} : { handRaisedAt: hand },
});

test("the hand is the server-written attribute: a positive time, nothing else", () => {
  assert.equal(handRaisedAt(person("a", "viewer", "1704067200000")), 1704067200000);
  for (const value of [undefined, "", "0", "-5", "12abc", "1e3", "soon"]) {
    assert.equal(handRaisedAt(person("a", "viewer", value)), 0, String(value));
  }
});

test("the queue is viewers with a hand, first raised first, ties by identity", () => {
  const room = [
    person("cy", "viewer", "300"),
    person("bo", "viewer", "100"),
    person("al", "viewer", "100"),
    person("host", "host", "50"),
    person("guest", "guest", "10"),
    person("di", "viewer"),
  ];
  assert.deepEqual(handQueue(room).map((p) => p.identity), ["al", "bo", "cy"]);
  assert.equal(queuePosition(room, "cy"), 3);
  assert.equal(queuePosition(room, "di"), null);
  assert.equal(queuePosition(room, "host"), null);
});

test("a role comes from the metadata only, and unreadable metadata has none", () => {
  assert.equal(roleOf(person("a", "host")), "host");
  assert.equal(roleOf({ identity: "x", metadata: "{not json" }), "");
  assert.equal(roleOf({ identity: "x" }), "");
});
