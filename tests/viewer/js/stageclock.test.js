// The guest's stage clock (resources/viewer/stageclock.js), pure. The same cases run against
// hostdesk/show/stage_clock.py in tests/viewer/test_page_rules.py.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  TIME_UP,
  clock,
  clockFace,
  clockNotice,
  duration,
  serverAheadMs,
  stageTimeLimit,
} from "../../../resources/viewer/stageclock.js";

const T0 = 1_704_067_200_000;
const jwt = (payload) =>
  ["e30", Buffer.from(JSON.stringify(payload)).toString("base64url"), "sig"].join(".");

test("the limit is the server's whole seconds under stage in the room metadata", () => {
  assert.equal(stageTimeLimit(JSON.stringify({ stage: { timeLimitSeconds: 300 } })), 300);
  const both = { chat: { slowModeSeconds: 5 }, stage: { timeLimitSeconds: 62 }, title: "x" };
  assert.equal(stageTimeLimit(JSON.stringify(both)), 62);
  for (const metadata of [
    undefined,
    "",
    "{not json",
    "[]",
    "null",
    JSON.stringify({ stage: null }),
    JSON.stringify({ stage: [] }),
    JSON.stringify({ stage: {} }),
    JSON.stringify({ stage: { timeLimitSeconds: 0 } }),
    JSON.stringify({ stage: { timeLimitSeconds: -60 } }),
    JSON.stringify({ stage: { timeLimitSeconds: 1.5 } }),
    JSON.stringify({ stage: { timeLimitSeconds: "60" } }),
    JSON.stringify({ stage: { timeLimitSeconds: true } }),
    JSON.stringify({ chat: { slowModeSeconds: 5 } }),
  ]) {
    assert.equal(stageTimeLimit(metadata), 0, String(metadata));
  }
});

test("no limit: the clock only counts, whole seconds rounded down, never below 0", () => {
  assert.deepEqual(clock(T0, 0, T0 + 59_999, 60), { elapsedS: 59, remainingS: null, phase: "on" });
  assert.deepEqual(clock(T0, 0, T0 - 5_000, 60), { elapsedS: 0, remainingS: null, phase: "on" });
});

test("a warning at the warning's seconds left, over at the limit, not a moment before", () => {
  const limit = 300;
  const at = (ms) => clock(T0, limit, T0 + ms, 60);
  assert.deepEqual(at(239_999), { elapsedS: 239, remainingS: 61, phase: "on" });
  assert.deepEqual(at(240_000), { elapsedS: 240, remainingS: 60, phase: "warning" });
  assert.deepEqual(at(299_999), { elapsedS: 299, remainingS: 1, phase: "warning" });
  assert.deepEqual(at(300_000), { elapsedS: 300, remainingS: 0, phase: "over" });
  assert.deepEqual(at(3_600_000), { elapsedS: 3600, remainingS: 0, phase: "over" });
  // A limit shorter than the warning warns from the start; one already passed is over.
  assert.equal(clock(T0, 30, T0, 60).phase, "warning");
  assert.equal(clock(T0, 1, T0 + 1_000, 60).phase, "over");
});

test("the server's clock is read from the token: its minting time against the page's", () => {
  const minted = 1_700_000_000; // s, the server's clock
  // The page's clock is 90 s behind: it got the token at what it thinks is minted - 90 s.
  const receivedAt = (minted - 90) * 1000 + 200;
  assert.equal(serverAheadMs(jwt({ nbf: minted, exp: minted + 600 }), receivedAt), 90_300);
  assert.equal(serverAheadMs(jwt({ iat: minted, nbf: minted - 5 }), minted * 1000), 500);
  // Nothing in the token says when: the page's clock as it is.
  assert.equal(serverAheadMs(jwt({ exp: minted }), 123), 0);
  assert.equal(serverAheadMs("not a token", 123), 0);
});

test("the page says a minute is left, then that the time is up; nothing otherwise", () => {
  assert.equal(clockNotice(null, 60), "");
  assert.equal(clockNotice({ elapsedS: 5, remainingS: null, phase: "on" }, 60), "");
  assert.equal(clockNotice({ elapsedS: 5, remainingS: 100, phase: "on" }, 60), "");
  assert.equal(
    clockNotice({ elapsedS: 5, remainingS: 42, phase: "warning" }, 60),
    "1 minute left on stage",
  );
  assert.equal(clockNotice({ elapsedS: 5, remainingS: 0, phase: "over" }, 60), TIME_UP);
  assert.equal(TIME_UP, "Your time on stage is up — the host may send you back");
});

test("durations and clock faces read as people write them", () => {
  assert.equal(duration(60), "1 minute");
  assert.equal(duration(120), "2 minutes");
  assert.equal(duration(30), "30 seconds");
  assert.equal(duration(1), "1 second");
  assert.equal(duration(90), "1 minute 30 seconds");
  assert.equal(clockFace(0), "0:00");
  assert.equal(clockFace(42), "0:42");
  assert.equal(clockFace(725), "12:05");
  assert.equal(clockFace(3723), "1:02:03");
});
