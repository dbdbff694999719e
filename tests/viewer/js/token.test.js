// When the page renews its token (resources/viewer/token.js), read from the token itself, pure.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BLOCKED,
  RENEW_AT,
  RENEW_RETRY_MS,
  TokenRenewal,
  renewDelayMs,
  tokenTimes,
} from "../../../resources/viewer/token.js";

/** A JWT with this payload (header and signature do not matter to the page). */
const jwt = (payload) =>
  ["e30", Buffer.from(JSON.stringify(payload)).toString("base64url"), "sig"].join(".");

test("the times are read from the payload, base64url without padding", () => {
  const token = jwt({ sub: "viewer-ü?>", nbf: 1_700_000_000, exp: 1_700_000_600 });
  assert.deepEqual(tokenTimes(token), { exp: 1_700_000_600, issued: 1_700_000_000 });
  assert.deepEqual(tokenTimes(jwt({ iat: 5, nbf: 9, exp: 10 })), { exp: 10, issued: 5 });
});

test("the token is renewed at 60% of its life, counted from when the page got it", () => {
  assert.equal(RENEW_AT, 0.6);
  const tenMinutes = jwt({ nbf: 1_700_000_000, exp: 1_700_000_600 });
  // The page's own clock (here hours off) plays no part when the token says when it was issued.
  for (const now of [0, 1_700_000_000_000, 1_800_000_000_000]) {
    assert.equal(renewDelayMs(tenMinutes, now), 360_000);
  }
  const noIssue = jwt({ exp: 1_700_000_600 });
  assert.equal(renewDelayMs(noIssue, 1_700_000_000_000), 360_000);
  assert.equal(renewDelayMs(noIssue, 1_700_001_000_000), 0, "already lapsed: at once");
});

test("a token without a readable expiry is not renewed", () => {
  for (const token of ["", "abc", "a.b.c", "a.!!!.c", jwt({ nbf: 1 }), jwt({ exp: "soon" }), jwt([])]) {
    assert.equal(renewDelayMs(token, 0), null, token);
  }
});

// -- the renewal against a stand-in for the server (fetch) and for the clock (mock timers) -----

/** A page's hooks and what the server answers, recording what the renewal did. */
function harness(t, answers) {
  t.mock.method(console, "warn", () => {}); // the page's warnings about failed renewals
  const seen = { bearers: [], renewed: [], refused: [] };
  let joined = { token: jwt({ nbf: 1_000, exp: 1_600 }), wsUrl: "ws://lk", identity: "viewer-1" };
  globalThis.window = globalThis;
  globalThis.fetch = async (path, init) => {
    seen.bearers.push([path, init.headers.Authorization]);
    const [status, body] = answers.shift();
    return new Response(JSON.stringify(body), { status });
  };
  const renewal = new TokenRenewal({
    current: () => joined,
    room: () => "show 1",
    renewed: (next) => {
      seen.renewed.push(next);
      joined = next;
    },
    refused: (message) => seen.refused.push(message),
  });
  return { seen, renewal, first: joined };
}

/** Lets the renewal's fetch and its promise chain run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("the renewal asks at 60% of the token's life with the token held, and adopts the answer", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"] });
  const fresh = jwt({ nbf: 1_300, exp: 1_900 });
  const { seen, renewal, first } = harness(t, [[200, { token: fresh, wsUrl: "ws://lk2", identity: "x" }]]);
  renewal.schedule();
  t.mock.timers.tick(359_999);
  await settle();
  assert.equal(seen.bearers.length, 0);
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(seen.bearers, [["/api/rooms/show%201/token", `Bearer ${first.token}`]]);
  // Same identity as before, whatever else the answer says, and when it arrived (the page's
  // clock, for the stage clock's reading of the server's); the next renewal is planned.
  assert.deepEqual(seen.renewed, [
    { token: fresh, wsUrl: "ws://lk2", identity: "viewer-1", receivedAt: 360_000 },
  ]);
  renewal.stop();
});

test("a blocked viewer's renewal ends the page with the server's words; other 403s do not", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const blocked = harness(t, [[403, { error: BLOCKED }]]);
  blocked.renewal.schedule();
  t.mock.timers.tick(360_000);
  await settle();
  assert.deepEqual(blocked.seen.refused, ["You cannot join this show"]);

  const lapsed = harness(t, [[403, { error: "Invalid or expired token" }]]);
  lapsed.renewal.schedule();
  t.mock.timers.tick(360_000);
  await settle();
  t.mock.timers.tick(600_000);
  await settle();
  assert.deepEqual(lapsed.seen.refused, []);
  assert.equal(lapsed.seen.bearers.length, 1, "not asked again: a rejoin gets a new token");
});

test("a renewal that fails on the way is tried again, with the same token", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const fresh = jwt({ nbf: 1_300, exp: 1_900 });
  const { seen, renewal, first } = harness(t, [
    [503, { error: "LiveKit is unavailable" }],
    [429, { error: "Too many requests" }],
    [200, { token: fresh, wsUrl: "ws://lk" }],
  ]);
  renewal.schedule();
  t.mock.timers.tick(360_000);
  await settle();
  t.mock.timers.tick(RENEW_RETRY_MS[0]);
  await settle();
  t.mock.timers.tick(RENEW_RETRY_MS[1]);
  await settle();
  assert.equal(seen.bearers.length, 3);
  assert.ok(seen.bearers.every(([, bearer]) => bearer === `Bearer ${first.token}`));
  assert.equal(seen.renewed.at(-1).token, fresh);
  renewal.stop();
});

test("an answer that comes after the page ended is dropped, and nothing is asked again", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { seen, renewal } = harness(t, [[503, { error: "LiveKit is unavailable" }]]);
  renewal.schedule();
  t.mock.timers.tick(360_000);
  renewal.stop(); // the page ended while the request was on its way
  await settle();
  t.mock.timers.tick(600_000);
  await settle();
  assert.equal(seen.bearers.length, 1);
  assert.deepEqual([seen.renewed, seen.refused], [[], []]);
});
