// @ts-check
// The viewer's place in the show, as one explicit state machine: audience -> invited ->
// joining -> on stage -> back to audience. `transition` is pure (no DOM, no LiveKit, no
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
//   any       promoted (can publish)    onStage   stopInviteTimer (if invited), publish
//   onStage   demoted (cannot publish)  audience  unpublish
//   any       sessionLost               audience  stopInviteTimer / dropMedia as held
//   onStage   invited                   onStage   (ignored: already on stage)

/**
 * @typedef {{place: "audience"}} Audience
 * @typedef {{place: "invited", host: string, hostName: string}} Invited
 * @typedef {{place: "joining", host: string}} Joining
 * @typedef {{place: "onStage"}} OnStage
 * @typedef {Audience | Invited | Joining | OnStage} Stage
 */

/**
 * @typedef {{type: "invited", host: string, hostName: string}
 *   | {type: "accept"} | {type: "decline"} | {type: "inviteExpired"}
 *   | {type: "answerFailed"} | {type: "joinLapsed"}
 *   | {type: "promoted"} | {type: "demoted"} | {type: "sessionLost"}} StageEvent
 */

/**
 * @typedef {"startInviteTimer" | "stopInviteTimer" | "expiredNotice" | "answerYes" | "answerNo"
 *   | "prepareMedia" | "dropMedia" | "publish" | "unpublish"} Effect
 */

/** @typedef {{stage: Stage, effects: Effect[]}} Step */

/** @type {Audience} */
export const AUDIENCE = Object.freeze({ place: "audience" });

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
      if (stage.place === "onStage") return same;
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
    case "promoted":
      if (stage.place === "onStage") return same;
      return {
        stage: { place: "onStage" },
        effects: stage.place === "invited" ? ["stopInviteTimer", "publish"] : ["publish"],
      };
    case "demoted":
      if (stage.place !== "onStage") return same;
      return { stage: AUDIENCE, effects: ["unpublish"] };
    case "sessionLost":
      if (stage.place === "invited") return { stage: AUDIENCE, effects: ["stopInviteTimer"] };
      if (stage.place === "joining") return { stage: AUDIENCE, effects: ["dropMedia"] };
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

/** @param {Stage} stage */
export const isOnStage = (stage) => stage.place === "onStage";
