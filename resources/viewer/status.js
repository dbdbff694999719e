// @ts-check
// What the page says about the connection: its state word (the badge, and `hostdeskViewer.state`)
// and notice, from the phase and what the room shows. Pure.

/** @typedef {import("./store.js").PageState} PageState */
/** @typedef {import("./store.js").Notice} Notice */

/**
 * @typedef {"idle" | "waiting" | "connecting" | "live" | "reconnecting" | "ended" | "removed"
 *   | "failed"} Shown
 */

/** @type {Record<Shown, string>} */
export const STATE_TEXT = {
  idle: "Not joined",
  waiting: "Waiting for the host",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  ended: "Ended",
  removed: "Removed",
  failed: "Disconnected",
};

export const NOT_STARTED = "The show has not started yet";
export const RECONNECTING = "Connection lost — reconnecting…";
const STEPPED_AWAY = "The host has stepped away — the show goes on when they are back";

/**
 * @param {Readonly<PageState>} state
 * @param {boolean} hostPresent the host is in the room now
 * @returns {{shown: Shown, notice: Notice}}
 */
export function status(state, hostPresent) {
  if (state.phase !== "joined") return { shown: state.phase, notice: state.notice };
  if (state.resuming) {
    return { shown: "reconnecting", notice: { text: RECONNECTING, kind: "warning" } };
  }
  if (hostPresent) return { shown: "live", notice: { text: "", kind: "info" } };
  return {
    shown: "waiting",
    notice: { text: state.hostSeen ? STEPPED_AWAY : NOT_STARTED, kind: "info" },
  };
}
