// @ts-check
// The two API calls before LiveKit: wait until the show has a host (polling the room's info),
// then ask for a viewer token, retrying while the server or LiveKit is unavailable. What the
// page shows meanwhile goes through `say` (the phase and its notice). Every join carries this
// browser's `clientId`, so that a host who blocks a viewer keeps their browser out too.

import { ApiError, api, roomPath } from "./api.js";
import { messageOf, sleep } from "./report.js";
import { NOT_STARTED } from "./status.js";

/** @typedef {import("./store.js").Phase} Phase */
/** @typedef {(phase: Phase, text?: string, kind?: "info" | "warning") => void} Say */
/**
 * A token the server gave the page, and when it arrived (the page's Date.now(): with the time
 * the server wrote in the token, it tells how far the page's clock is off; stageclock.js).
 * @typedef {{token: string, wsUrl: string, identity: string, receivedAt: number}} Joined
 */

const POLL_MS = 2_000;
const CLIENT_ID_KEY = "hostdesk.clientId";
/** @type {string} */
let unstoredClientId = "";

/** A random id, also where `crypto.randomUUID` is missing (plain http to another computer). */
function randomId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** This browser's id, made once and kept in localStorage (in memory when storage is off). */
export function clientId() {
  try {
    const kept = localStorage.getItem(CLIENT_ID_KEY);
    if (kept) return kept;
    const made = randomId();
    localStorage.setItem(CLIENT_ID_KEY, made);
    return made;
  } catch {
    unstoredClientId ||= randomId();
    return unstoredClientId;
  }
}
export const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

/**
 * @param {string} room
 * @param {Say} say
 */
export async function waitForHost(room, say) {
  say("waiting");
  for (;;) {
    try {
      const info = await api("GET", roomPath(room));
      const found = /** @type {{hasHost?: unknown} | undefined} */ (info.room);
      if (found && found.hasHost) return;
      say("waiting", NOT_STARTED);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) say("waiting", NOT_STARTED);
      else say("waiting", `${messageOf(err)}; trying again…`, "warning");
    }
    await sleep(POLL_MS);
  }
}

/**
 * A viewer token. Throws the server's ApiError when it refuses the join itself (4xx but 429),
 * such as the 403 of a blocked browser, whose message the join form shows.
 * @param {string} room
 * @param {string} name
 * @param {Say} say
 * @returns {Promise<Joined>}
 */
export async function requestToken(room, name, say) {
  for (let attempt = 0; ; attempt += 1) {
    say("connecting");
    try {
      const body = { roomName: room, participantName: name, role: "viewer", clientId: clientId() };
      const { token, wsUrl, identity } = await api("POST", "/api/rooms/join", body);
      if (typeof token !== "string" || typeof wsUrl !== "string" || !token || !wsUrl) {
        throw new ApiError(500, "The server sent no token");
      }
      return {
        token,
        wsUrl,
        identity: typeof identity === "string" ? identity : "",
        receivedAt: Date.now(),
      };
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      if (status >= 400 && status < 500 && status !== 429) throw err;
      say("connecting", `${messageOf(err)}; trying again…`, "warning");
      await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]);
    }
  }
}
