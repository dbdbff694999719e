// The viewer's stage machine (resources/viewer/stage.js), pure: `node --test tests/viewer/js`.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AUDIENCE,
  BACKSTAGE,
  permissionsEvent,
  placeEvent,
  transition,
} from "../../../resources/viewer/stage.js";

const invite = { type: "invited", host: "host-1", hostName: "Jane Host" };

/** Runs events from the audience; returns the last stage and every effect in order. */
function run(...events) {
  let stage = AUDIENCE;
  const effects = [];
  for (const event of events) {
    const step = transition(stage, event);
    stage = step.stage;
    effects.push(...step.effects);
  }
  return { stage, effects };
}

test("an invitation accepted and a promotion put the viewer on stage with the prepared media", () => {
  const { stage, effects } = run(invite, { type: "accept" }, permissionsEvent(true));
  assert.deepEqual(stage, { place: "onStage" });
  assert.deepEqual(effects, [
    "startInviteTimer",
    "stopInviteTimer",
    "prepareMedia",
    "answerYes",
    "publish",
  ]);
});

test("accepting answers the host who invited, and waits in joining until promoted", () => {
  const { stage } = run(invite, { type: "accept" });
  assert.deepEqual(stage, { place: "joining", host: "host-1" });
});

test("a demotion takes the guest back to the audience and unpublishes", () => {
  const { stage, effects } = run(invite, { type: "accept" }, permissionsEvent(true), permissionsEvent(false));
  assert.equal(stage, AUDIENCE);
  assert.equal(effects.at(-1), "unpublish");
});

test("declining or letting the invitation expire leaves the viewer in the audience", () => {
  assert.deepEqual(run(invite, { type: "decline" }).effects.slice(1), ["stopInviteTimer", "answerNo"]);
  const expired = run(invite, { type: "inviteExpired" });
  assert.equal(expired.stage, AUDIENCE);
  assert.deepEqual(expired.effects.slice(1), ["stopInviteTimer", "expiredNotice"]);
});

test("a promotion that does not come, or an answer that could not be sent, lets go of the media", () => {
  for (const type of ["joinLapsed", "answerFailed"]) {
    const { stage, effects } = run(invite, { type: "accept" }, { type });
    assert.equal(stage, AUDIENCE, type);
    assert.equal(effects.at(-1), "dropMedia", type);
  }
});

test("an invitation on stage is ignored; a new one while invited or joining replaces the old", () => {
  const onStage = run(invite, { type: "accept" }, permissionsEvent(true));
  const again = transition(onStage.stage, invite);
  assert.equal(again.stage, onStage.stage);
  assert.deepEqual(again.effects, []);
  const other = { type: "invited", host: "host-2", hostName: "Jo" };
  assert.deepEqual(run(invite, other).stage, { place: "invited", host: "host-2", hostName: "Jo" });
  assert.deepEqual(run(invite, { type: "accept" }, other).effects.slice(-2), ["dropMedia", "startInviteTimer"]);
});

test("a promotion without an invitation (restored after a LiveKit restart) goes straight on stage", () => {
  assert.deepEqual(run(permissionsEvent(true)), { stage: { place: "onStage" }, effects: ["publish"] });
  const invited = run(invite, permissionsEvent(true));
  assert.deepEqual(invited.effects.slice(1), ["stopInviteTimer", "publish"]);
});

test("a lost session returns every place to the audience, releasing what it held", () => {
  assert.deepEqual(run(invite, { type: "sessionLost" }).effects.at(-1), "stopInviteTimer");
  assert.deepEqual(run(invite, { type: "accept" }, { type: "sessionLost" }).effects.at(-1), "dropMedia");
  assert.equal(run(permissionsEvent(true), { type: "sessionLost" }).stage, AUDIENCE);
});

test("events that do not apply change nothing and do nothing", () => {
  const cases = [
    [AUDIENCE, { type: "accept" }],
    [AUDIENCE, { type: "decline" }],
    [AUDIENCE, { type: "inviteExpired" }],
    [AUDIENCE, permissionsEvent(false)],
    [AUDIENCE, { type: "sessionLost" }],
    [{ place: "onStage" }, permissionsEvent(true)],
    [{ place: "joining", host: "h" }, { type: "inviteExpired" }],
  ];
  for (const [stage, event] of cases) {
    const step = transition(stage, event);
    assert.equal(step.stage, stage, JSON.stringify([stage, event]));
    assert.deepEqual(step.effects, []);
  }
});

const backstage = { type: "sentBackstage" };

test("an accepted invitation the host sends backstage opens the backstage room with the prepared media", () => {
  const { stage, effects } = run(invite, { type: "accept" }, backstage);
  assert.equal(stage, BACKSTAGE);
  assert.deepEqual(effects.slice(-1), ["openBackstage"]);
  assert.ok(!effects.includes("publish"), "nothing is published in the show's room");
  assert.ok(!effects.includes("dropMedia"), "the prepared camera goes backstage");
});

test("take live leaves the backstage room and publishes in the show's room", () => {
  const { stage, effects } = run(invite, { type: "accept" }, backstage, permissionsEvent(true));
  assert.deepEqual(stage, { place: "onStage" });
  assert.deepEqual(effects.slice(-2), ["closeBackstage", "publish"]);
});

test("sent back from backstage: the backstage room is left and the page says so", () => {
  const { stage, effects } = run(invite, { type: "accept" }, backstage, { type: "sentBack" });
  assert.equal(stage, AUDIENCE);
  assert.deepEqual(effects.slice(-2), ["closeBackstage", "sentBackNotice"]);
});

test("backstage, an invitation or a second sending backstage changes nothing; a lost session closes it", () => {
  for (const event of [invite, backstage, permissionsEvent(false), { type: "accept" }]) {
    const step = transition(BACKSTAGE, event);
    assert.equal(step.stage, BACKSTAGE, JSON.stringify(event));
    assert.deepEqual(step.effects, []);
  }
  assert.deepEqual(transition(BACKSTAGE, { type: "sessionLost" }), {
    stage: AUDIENCE,
    effects: ["closeBackstage"],
  });
});

test("sent backstage straight from the audience or an open invitation (the window's own path)", () => {
  assert.deepEqual(run(backstage), { stage: BACKSTAGE, effects: ["openBackstage"] });
  assert.deepEqual(run(invite, backstage).effects.slice(1), ["stopInviteTimer", "openBackstage"]);
  assert.deepEqual(transition({ place: "onStage" }, backstage).effects, []);
});

test("the place the server wrote: permissions first, then the backstage attribute", () => {
  const on = { backstage: "1" };
  assert.deepEqual(placeEvent(AUDIENCE, false, on), backstage);
  assert.deepEqual(placeEvent(AUDIENCE, false, {}), null);
  assert.deepEqual(placeEvent(AUDIENCE, false, { backstage: "" }), null);
  assert.deepEqual(placeEvent(BACKSTAGE, false, {}), { type: "sentBack" });
  assert.deepEqual(placeEvent(BACKSTAGE, false, on), backstage);
  // Take live: the permissions and the cleared attribute arrive together.
  assert.deepEqual(placeEvent(BACKSTAGE, true, {}), { type: "promoted" });
  assert.deepEqual(placeEvent(BACKSTAGE, true, on), { type: "promoted" });
  assert.deepEqual(placeEvent({ place: "onStage" }, false, {}), { type: "demoted" });
  assert.deepEqual(placeEvent({ place: "onStage" }, false, on), { type: "demoted" });
});
