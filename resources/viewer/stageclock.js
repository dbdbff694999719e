// @ts-check
// The stage clock as the guest's page reads it: the same rule as the host's window
// (hostdesk/show/stage_clock.py), from what only the server writes.
// - A guest's attribute `onStageSince` holds when they went on stage (ms since the epoch, the
//   server's clock; participants.js onStageSince).
// - The room's metadata carries the show's limit, `{"stage": {"timeLimitSeconds": N}}` (0 or
//   anything else: no limit).
// At `stageWarningSeconds` (rules.js) left the page warns; at the limit it says the time is up
// and that the host may send the guest back. Nothing leaves the stage by itself.
//
// The server's clock: the page's own may be off by minutes, so the page counts on the server's
// time, known from the token it holds (its `nbf`/`iat`, written by the server when it minted it,
// against the page's clock when the token arrived). Pure: no DOM, no LiveKit, no timers.

import { tokenTimes } from "./token.js";

/** The key of the stage settings in the room's metadata. */
export const ROOM_STAGE_KEY = "stage";

/** @typedef {"on" | "warning" | "over"} ClockPhase */

/**
 * A guest's clock now: whole seconds on stage, whole seconds of the limit left (null when the
 * show has no limit; 0 once it is reached) and the phase.
 * @typedef {{elapsedS: number, remainingS: number | null, phase: ClockPhase}} StageClock
 */

/**
 * The show's limit on a guest's time on stage, in seconds (0: none), as the server wrote it in
 * the room's metadata; anything else reads as none. (A limit written with a fraction or an
 * exponent, 60.0 or 6e1, is not an int to Python, which reads none; JSON.parse cannot tell it
 * from 60. The server writes whole numbers.)
 * @param {string | undefined} metadata
 */
export function stageTimeLimit(metadata) {
  /** @type {unknown} */
  let data;
  try {
    data = metadata ? JSON.parse(metadata) : null;
  } catch {
    return 0;
  }
  const stage = isObject(data) ? data[ROOM_STAGE_KEY] : null;
  if (!isObject(stage)) return 0;
  const limit = stage.timeLimitSeconds;
  return typeof limit === "number" && Number.isInteger(limit) && limit > 0 ? limit : 0;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The clock of a guest on stage since `sinceMs` under a limit of `limitS` seconds (0: none) at
 * `nowMs` (the server's clock): whole seconds, the elapsed ones rounded down (never below 0);
 * "warning" once at most `warningS` are left, "over" once none are.
 * @param {number} sinceMs
 * @param {number} limitS
 * @param {number} nowMs
 * @param {number} warningS
 * @returns {StageClock}
 */
export function clock(sinceMs, limitS, nowMs, warningS) {
  const elapsedS = Math.floor(Math.max(0, nowMs - sinceMs) / 1000);
  if (limitS <= 0) return { elapsedS, remainingS: null, phase: "on" };
  const remainingS = Math.max(0, limitS - elapsedS);
  if (remainingS === 0) return { elapsedS, remainingS: 0, phase: "over" };
  return { elapsedS, remainingS, phase: remainingS <= warningS ? "warning" : "on" };
}

/**
 * How far the server's clock is ahead of the page's (ms; negative when behind), from a token
 * the server minted and the page's clock when it arrived. The token's time is in whole seconds,
 * rounded down, so half a second is added: the estimate is off by at most half a second and the
 * time the answer took on its way. 0 when the token says nothing of when it was minted.
 * @param {string} token
 * @param {number} receivedAtMs the page's Date.now() when the token arrived
 */
export function serverAheadMs(token, receivedAtMs) {
  const { issued } = tokenTimes(token);
  return issued ? issued * 1000 + 500 - receivedAtMs : 0;
}

/**
 * "1 minute", "2 minutes", "30 seconds", "1 minute 30 seconds".
 * @param {number} seconds
 */
export function duration(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  /** @param {number} n @param {string} unit */
  const count = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (!minutes) return count(rest, "second");
  return rest ? `${count(minutes, "minute")} ${count(rest, "second")}` : count(minutes, "minute");
}

/** "0:42", "12:05", "1:02:03". @param {number} seconds */
export function clockFace(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export const TIME_UP = "Your time on stage is up — the host may send you back";

/**
 * What the guest's page says of the clock ("" while there is nothing to say).
 * @param {StageClock | null} stageClock
 * @param {number} warningS
 */
export function clockNotice(stageClock, warningS) {
  if (!stageClock) return "";
  if (stageClock.phase === "over") return TIME_UP;
  if (stageClock.phase === "warning") return `${duration(warningS)} left on stage`;
  return "";
}
