// Chat moderation as the page reads it (resources/viewer/moderation.js), pure: the same rule as
// the host's window (hostdesk/show/chat.py), case for case.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ChatGate,
  HIDDEN,
  MUTED,
  NO_SETTINGS,
  TOO_SOON,
  chatSettings,
  isChatMuted,
  isSlowed,
  messageId,
} from "../../../resources/viewer/moderation.js";

const SLACK = 1000;
const settings = (slowModeSeconds, hidden = []) =>
  chatSettings(JSON.stringify({ chat: { slowModeSeconds, hidden } }));

test("the settings are what the server wrote under chat; other keys are left alone", () => {
  const read = chatSettings(
    JSON.stringify({ other: 1, chat: { slowModeSeconds: 10, hidden: ["a:1", 7, "b:2"] } }),
  );
  assert.equal(read.slowModeS, 10);
  assert.deepEqual([...read.hidden], ["a:1", "b:2"]);
});

test("missing or garbage metadata means slow mode off and nothing hidden", () => {
  const garbage = [
    undefined,
    "",
    "{not json",
    "[]",
    "null",
    '"chat"',
    JSON.stringify({}),
    JSON.stringify({ chat: [] }),
    JSON.stringify({ chat: "slow" }),
    JSON.stringify({ chat: { slowModeSeconds: "10", hidden: "a:1" } }),
  ];
  for (const metadata of garbage) {
    const read = chatSettings(metadata);
    assert.equal(read.slowModeS, 0, String(metadata));
    assert.equal(read.hidden.size, 0, String(metadata));
  }
  for (const slow of [0, -5, 2.5, true, null, "10"]) {
    assert.equal(settings(slow).slowModeS, 0, JSON.stringify(slow));
  }
});

test("a message is named by its stamped sender and its timestamp as a whole number", () => {
  assert.equal(messageId("viewer-1", 1704067200000), "viewer-1:1704067200000");
  assert.equal(messageId("viewer-1", 1704067200000.9), "viewer-1:1704067200000");
  // Python writes an int out in full, never in exponent notation.
  assert.equal(messageId("v", 1e21), "v:1000000000000000000000");
  assert.equal(messageId("a:b", 5), "a:b:5");
});

test("a chat is muted only while the attribute is exactly 1", () => {
  assert.equal(isChatMuted({ chatMuted: "1" }), true);
  for (const attributes of [undefined, {}, { chatMuted: "" }, { chatMuted: "true" }, { chatMuted: "0" }]) {
    assert.equal(isChatMuted(attributes), false, JSON.stringify(attributes));
  }
});

test("a muted sender's lines and hidden messages are dropped, whoever sent them", () => {
  const gate = new ChatGate(SLACK);
  const hidden = settings(0, [messageId("ann", 100)]);
  assert.equal(gate.admit("ann", "viewer", { chatMuted: "1" }, 50, 0, NO_SETTINGS), MUTED);
  assert.equal(gate.admit("host-1", "host", { chatMuted: "1" }, 50, 0, NO_SETTINGS), MUTED);
  assert.equal(gate.admit("ann", "viewer", {}, 100, 0, hidden), HIDDEN);
  assert.equal(gate.admit("ann", "viewer", {}, 101, 0, hidden), "");
  assert.equal(gate.admit("bob", "viewer", {}, 100, 0, hidden), "", "another sender's message");
});

test("in slow mode a viewer's line sooner than N s less the slack after their last is dropped", () => {
  const gate = new ChatGate(SLACK);
  const slow = settings(10);
  assert.equal(gate.admit("ann", "viewer", {}, 1, 1_000, slow), "");
  assert.equal(gate.admit("ann", "viewer", {}, 2, 9_999, slow), TOO_SOON);
  assert.equal(gate.admit("bob", "viewer", {}, 3, 9_999, slow), "", "each sender has a clock");
  assert.equal(gate.admit("ann", "viewer", {}, 4, 10_000, slow), "", "N s less the slack");
  assert.equal(gate.admit("ann", "viewer", {}, 5, 12_000, slow), TOO_SOON);
  assert.equal(gate.admit("cy", "", {}, 6, 0, slow), "");
  assert.equal(gate.admit("cy", "", {}, 7, 1, slow), TOO_SOON, "no known role is slowed");
});

test("dropped lines do not restart the clock; lines without slow mode set it", () => {
  const gate = new ChatGate(SLACK);
  assert.equal(gate.admit("ann", "viewer", {}, 1, 0, NO_SETTINGS), "");
  assert.equal(gate.admit("ann", "viewer", {}, 2, 5_000, settings(10)), TOO_SOON);
  assert.equal(gate.admit("ann", "viewer", {}, 3, 9_000, settings(10)), "");
});

test("the host and guests are not slowed; a sender who left starts afresh", () => {
  const gate = new ChatGate(SLACK);
  const slow = settings(60);
  for (const role of ["host", "guest"]) {
    for (const at of [0, 1, 2]) assert.equal(gate.admit(role, role, {}, at, at, slow), "", role);
    assert.equal(isSlowed(role, slow), false);
  }
  assert.equal(isSlowed("viewer", slow), true);
  assert.equal(isSlowed("viewer", NO_SETTINGS), false);
  assert.equal(gate.admit("ann", "viewer", {}, 1, 0, slow), "");
  gate.forget("ann");
  assert.equal(gate.admit("ann", "viewer", {}, 2, 1, slow), "");
});
