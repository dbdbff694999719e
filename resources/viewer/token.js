// @ts-check
// The page's LiveKit token, kept fresh: HostDesk mints short-lived tokens, so the page renews
// its own through `POST /api/rooms/:room/token` (proving who it is with the token it holds)
// before it lapses, and uses the newest for its API calls and its reconnects. A renewal the
// server refuses because the host blocked this viewer ends the page with the server's words.
//
// When to renew is read from the token's own payload (`exp`, and `iat` or `nbf`): the page only
// reads the times, it never needs to trust them (the server checks the token). The lifetime is
// the difference of two times the server wrote, counted from when the page got the token, so a
// viewer's wrong clock does not matter.
//
// Test hook (documented in tests/viewer/test_chat_moderation.py): `localStorage` key
// `hostdesk.renewAfterMs`, a number of ms, replaces the computed delay, so that a test sees a
// renewal without waiting minutes. It changes only when this page asks; the server decides.

import { ApiError, api, roomPath } from "./api.js";
import { messageOf, warn } from "./report.js";

/** @typedef {import("./join.js").Joined} Joined */

/** Renew when this much of the token's life has passed. */
export const RENEW_AT = 0.6;
/** After a failed renewal, try again in these (the last repeats). */
export const RENEW_RETRY_MS = [2_000, 5_000, 10_000, 20_000, 30_000];
const RENEW_AFTER_KEY = "hostdesk.renewAfterMs";
/** The server's 403 for a blocked participant (hostdesk/show/blocks.py BLOCKED_JOIN); its other
 * 403s (a lapsed token, another room's) say only that this token will not do. */
export const BLOCKED = "You cannot join this show";

/**
 * The times in a JWT's payload, in seconds since the epoch (0 when missing or unreadable).
 * @param {string} token
 * @returns {{exp: number, issued: number}}
 */
export function tokenTimes(token) {
  const none = { exp: 0, issued: 0 };
  const part = token.split(".")[1];
  if (!part) return none;
  /** @type {unknown} */
  let payload;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
    payload = JSON.parse(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)));
  } catch {
    return none;
  }
  if (!payload || typeof payload !== "object") return none;
  const claims = /** @type {Record<string, unknown>} */ (payload);
  /** @param {unknown} value */
  const seconds = (value) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  return { exp: seconds(claims.exp), issued: seconds(claims.iat) || seconds(claims.nbf) };
}

/**
 * How long after getting `token` the page renews it, or null when it carries no expiry.
 * @param {string} token
 * @param {number} nowMs the page's clock, used only when the token says when it was issued
 *   in no way (then its expiry is measured against this clock)
 * @returns {number | null}
 */
export function renewDelayMs(token, nowMs) {
  const { exp, issued } = tokenTimes(token);
  if (!exp) return null;
  const lifeMs = issued ? (exp - issued) * 1000 : exp * 1000 - nowMs;
  return Math.max(0, lifeMs * RENEW_AT);
}

/** The test hook's delay (at least half a second), or null. */
function renewAfterOverride() {
  try {
    const value = Number(localStorage.getItem(RENEW_AFTER_KEY) || "");
    return value > 0 ? Math.max(value, 500) : null;
  } catch {
    return null;
  }
}

/**
 * @typedef {object} RenewalHooks
 * @property {() => Joined | null} current the token the page holds now
 * @property {() => string} room the show's room name
 * @property {(joined: Joined) => void} renewed a newer token for the same identity
 * @property {(message: string) => void} refused the server will not renew it (blocked)
 */

export class TokenRenewal {
  /** @param {RenewalHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    this.timer = 0;
    this.failures = 0;
    /** Stopped (the page ended): an answer still on its way is dropped. */
    this.stopped = true;
  }

  /** Plans the renewal of the token the page holds now (after a join or a renewal). */
  schedule() {
    clearTimeout(this.timer);
    this.stopped = false;
    const joined = this.hooks.current();
    if (!joined) return;
    const delay = renewAfterOverride() ?? renewDelayMs(joined.token, Date.now());
    if (delay === null) return;
    this.failures = 0;
    this.timer = window.setTimeout(() => this.renew(joined), delay);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** @param {Joined} from the token being renewed */
  async renew(from) {
    let answer;
    try {
      answer = await api("POST", `${roomPath(this.hooks.room())}/token`, undefined, from.token);
    } catch (err) {
      this.failed(from, err);
      return;
    }
    // Stopped, or the page rejoined meanwhile with a token of its own (that one is newer).
    if (this.stopped || this.hooks.current() !== from) return;
    const { token, wsUrl } = answer;
    if (typeof token !== "string" || !token) {
      this.failed(from, new Error("the server sent no token"));
      return;
    }
    this.hooks.renewed({
      token,
      wsUrl: typeof wsUrl === "string" && wsUrl ? wsUrl : from.wsUrl,
      identity: from.identity,
      receivedAt: Date.now(),
    });
    this.schedule();
  }

  /** @param {Joined} from @param {unknown} err */
  failed(from, err) {
    if (this.stopped || this.hooks.current() !== from) return;
    const status = err instanceof ApiError ? err.status : 0;
    if (status === 403 && messageOf(err) === BLOCKED) {
      this.hooks.refused(BLOCKED);
      return;
    }
    if (status >= 400 && status < 500 && status !== 429) {
      // Not a passing failure (the token lapsed while the computer slept, the room is gone):
      // a reconnect, if one comes, asks for a new token with a new join (connection.js).
      warn("the token cannot be renewed", err);
      return;
    }
    warn("could not renew the token; trying again", err);
    const wait = RENEW_RETRY_MS[Math.min(this.failures, RENEW_RETRY_MS.length - 1)];
    this.failures += 1;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.renew(from), wait);
  }
}
