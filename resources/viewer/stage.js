// @ts-check
// The viewer's place in the show, as one explicit state machine: audience -> invited ->
// joining -> backstage -> on stage -> back to audience. `transition` is pure (no DOM, no LiveKit, no
// timers): it returns the next place and the effects the page must carry out; the page owns
// the timers, the camera and the dialog, and feeds their outcomes back in as events.
//
//   place     event                     next      effects
//   audience  invited                   invited   startInviteTimer
//   invited   invited (again)           invited   startInviteTimer (the new one replaces it)
//   invited   accept                    joining   stopInviteTimer, prepareMedia, answerYes
//   invited   decline                   audience  stopInviteTimer, answerNo
//   invited   inviteExpired             audience  stopInviteTimer, expiredNotice
//   joining   invited                   invited   dropMedia, startInviteTimer
//   joining   answerFailed | joinLapsed audience  dropMedia
//   audience|invited|joining
//             sentBackstage             backstage stopInviteTimer (if invited), openBackstage
//   backstage sentBack                  audience  closeBackstage, sentBackNotice
//   backstage invited                   backstage (ignored: the host already has them)
//   any       promoted (can publish)    onStage   stopInviteTimer (if invited),
//                                                 closeBackstage (if backstage), publish
//   onStage   demoted (cannot publish)  audience  unpublish
//   any       sessionLost               audience  stopInviteTimer / dropMedia /
//                                                 closeBackstage as held
//   onStage   invited | sentBackstage   onStage   (ignored: already on stage)
//
// Backstage is a second LiveKit room (backstage.js): the camera and microphone are published
// there only, never in the show's room, until the host takes the guest live (a promotion).

/**
 * @typedef {{place: "audience"}} Audience
 * @typedef {{place: "invited", host: string, hostName: string}} Invited
 * @typedef {{place: "joining", host: string}} Joining
 * @typedef {{place: "backstage"}} Backstage
 * @typedef {{place: "onStage"}} OnStage
 * @typedef {Audience | Invited | Joining | Backstage | OnStage} Stage
 */

/**
 * @typedef {{type: "invited", host: string, hostName: string}
 *   | {type: "accept"} | {type: "decline"} | {type: "inviteExpired"}
 *   | {type: "answerFailed"} | {type: "joinLapsed"}
 *   | {type: "promoted"} | {type: "demoted"} | {type: "sessionLost"}
 *   | {type: "sentBackstage"} | {type: "sentBack"}} StageEvent
 */

/**
 * @typedef {"startInviteTimer" | "stopInviteTimer" | "expiredNotice" | "answerYes" | "answerNo"
 *   | "prepareMedia" | "dropMedia" | "publish" | "unpublish" | "openBackstage"
 *   | "closeBackstage" | "sentBackNotice"} Effect
 */

/** @typedef {{stage: Stage, effects: Effect[]}} Step */

/** @type {Audience} */
export const AUDIENCE = Object.freeze({ place: "audience" });
/** @type {Backstage} */
export const BACKSTAGE = Object.freeze({ place: "backstage" });
/** @type {OnStage} */
export const ON_STAGE = Object.freeze({ place: "onStage" });

/**
 * What `event` does to `stage`. An event that does not apply leaves the stage as it is (the
 * same object) with no effects.
 * @param {Stage} stage
 * @param {StageEvent} event
 * @returns {Step}
 */
export function transition(stage, event) {
  const same = { stage, effects: /** @type {Effect[]} */ ([]) };
  switch (event.type) {
    case "invited":
      if (stage.place === "onStage" || stage.place === "backstage") return same;
      return {
        stage: { place: "invited", host: event.host, hostName: event.hostName },
        effects:
          stage.place === "joining" ? ["dropMedia", "startInviteTimer"] : ["startInviteTimer"],
      };
    case "accept":
      if (stage.place !== "invited") return same;
      return {
        stage: { place: "joining", host: stage.host },
        effects: ["stopInviteTimer", "prepareMedia", "answerYes"],
      };
    case "decline":
      if (stage.place !== "invited") return same;
      return { stage: AUDIENCE, effects: ["stopInviteTimer", "answerNo"] };
    case "inviteExpired":
      if (stage.place !== "invited") return same;
      return { stage: AUDIENCE, effects: ["stopInviteTimer", "expiredNotice"] };
    case "answerFailed":
    case "joinLapsed":
      if (stage.place !== "joining") return same;
      return { stage: AUDIENCE, effects: ["dropMedia"] };
    case "sentBackstage":
      if (stage.place === "onStage" || stage.place === "backstage") return same;
      return {
        stage: BACKSTAGE,
        effects: stage.place === "invited" ? ["stopInviteTimer", "openBackstage"] : ["openBackstage"],
      };
    case "sentBack":
      if (stage.place !== "backstage") return same;
      return { stage: AUDIENCE, effects: ["closeBackstage", "sentBackNotice"] };
    case "promoted":
      if (stage.place === "onStage") return same;
      return {
        stage: ON_STAGE,
        effects:
          stage.place === "invited"
            ? ["stopInviteTimer", "publish"]
            : stage.place === "backstage"
              ? ["closeBackstage", "publish"]
              : ["publish"],
      };
    case "demoted":
      if (stage.place !== "onStage") return same;
      return { stage: AUDIENCE, effects: ["unpublish"] };
    case "sessionLost":
      if (stage.place === "invited") return { stage: AUDIENCE, effects: ["stopInviteTimer"] };
      if (stage.place === "joining") return { stage: AUDIENCE, effects: ["dropMedia"] };
      if (stage.place === "backstage") return { stage: AUDIENCE, effects: ["closeBackstage"] };
      return stage.place === "audience" ? same : { stage: AUDIENCE, effects: [] };
    default:
      return same;
  }
}

/**
 * The event LiveKit's permissions mean for the stage: may publish = on stage.
 * @param {boolean} canPublish
 * @returns {StageEvent}
 */
export function permissionsEvent(canPublish) {
  return { type: canPublish ? "promoted" : "demoted" };
}

/** The participant attribute the server writes ("1") while the host has a viewer backstage. */
export const BACKSTAGE_ATTRIBUTE = "backstage";

/**
 * The event what the server wrote on the page's own participant means, read once the whole
 * update is in (a take live changes permissions and clears the attribute together): may publish
 * = on stage; the attribute set = backstage; neither, while backstage = sent back.
 * @param {Stage} stage
 * @param {boolean} canPublish
 * @param {Readonly<Record<string, string>> | undefined} attributes
 * @returns {StageEvent | null}
 */
export function placeEvent(stage, canPublish, attributes) {
  if (canPublish) return { type: "promoted" };
  if (stage.place === "onStage") return { type: "demoted" };
  if ((attributes || {})[BACKSTAGE_ATTRIBUTE] === "1") return { type: "sentBackstage" };
  if (stage.place === "backstage") return { type: "sentBack" };
  return null;
}

/** @param {Stage} stage */
export const isOnStage = (stage) => stage.place === "onStage";

/** @param {Stage} stage */
export const isBackstage = (stage) => stage.place === "backstage";
