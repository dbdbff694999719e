// @ts-check
// The viewer's hand. Whether it is up is the server-written attribute (participants.js), never
// a flag of the page's: a click asks the server (which writes the time) and broadcasts the news
// for the host's instant display; the button waits until the attribute says what the server
// answered. A raise may carry a question (typed next to the button), which the server writes
// in the `handQuestion` attribute; the page shows it back while the hand is up.

import { api, roomPath } from "./api.js";
import { handRaisedAt, queuePosition } from "./participants.js";
import { messageOf, warn } from "./report.js";
import { isOnStage } from "./stage.js";

/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./connection.js").Connection} Connection */
/** @typedef {import("./participants.js").Someone} Someone */

/** The participant attribute holding the raised hand's question (server-written, trimmed). */
export const QUESTION_ATTRIBUTE = "handQuestion";

/** @param {Someone} participant the question their raised hand carries, or "" */
export function questionOf(participant) {
  const question = participant.attributes ? participant.attributes[QUESTION_ATTRIBUTE] : "";
  return typeof question === "string" && handRaisedAt(participant) > 0 ? question : "";
}

/** @param {number} n 1 -> "1st" */
export function ordinal(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return n + ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
}

/**
 * @typedef {object} HandElements
 * @property {HTMLButtonElement} handButton
 * @property {HTMLInputElement} questionInput
 * @property {HTMLElement} myQuestion
 * @property {HTMLElement} queue
 */

/**
 * Draws the hand's controls: the button, the question field (while the hand is down) or the
 * question sent (while it is up), and the place in line.
 * @param {HandElements} ui
 * @param {Readonly<import("./store.js").PageState>} state
 * @param {Someone | null} me
 * @param {Someone[]} remotes
 * @param {boolean} hostThere
 */
export function drawHand(ui, state, me, remotes, hostThere) {
  const raised = me ? handRaisedAt(me) > 0 : false;
  ui.handButton.disabled = state.handBusy || !hostThere;
  ui.handButton.textContent = raised ? "Lower hand" : "Raise hand";
  ui.handButton.setAttribute("aria-pressed", String(raised));
  ui.questionInput.hidden = raised;
  ui.questionInput.disabled = state.handBusy;
  const question = me && raised ? questionOf(me) : "";
  const shown = question ? `Your question: “${question}”` : "";
  if (ui.myQuestion.textContent !== shown) ui.myQuestion.textContent = shown;
  ui.myQuestion.hidden = !shown;
  const position = me && raised ? queuePosition([me, ...remotes], me.identity) : null;
  if (state.stage.place === "joining") ui.queue.textContent = "Joining the stage…";
  else if (!raised) ui.queue.textContent = "";
  else if (position) ui.queue.textContent = `You are ${ordinal(position)} in line`;
  else ui.queue.textContent = "Your hand is up";
}

// The server answered but its attribute has not come: the button waits at most this long for
// it (LiveKit delivers it within tens of milliseconds).
const ATTRIBUTE_WAIT_MS = 5_000;

export class Hand {
  /** @param {Store} store @param {Connection} connection */
  constructor(store, connection) {
    this.store = store;
    this.connection = connection;
    this.timer = 0;
  }

  /** The room changed: the awaited attribute may have come. */
  settle() {
    const { handAwaited } = this.store.state;
    const lk = this.connection.room;
    if (handAwaited === null || !lk) return;
    if (handRaisedAt(lk.localParticipant) > 0 === handAwaited) this.release();
  }

  release() {
    clearTimeout(this.timer);
    this.store.update({ handBusy: false, handAwaited: null });
  }

  async toggle() {
    const { store, connection } = this;
    const lk = connection.room;
    if (!lk || store.state.handBusy || isOnStage(store.state.stage)) return;
    const raised = !(handRaisedAt(lk.localParticipant) > 0);
    const field = document.getElementById("question-input");
    const question = raised && field instanceof HTMLInputElement ? field.value.trim() : "";
    store.update({ handBusy: true });
    store.setErrors({ action: "" });
    // The broadcast goes out with the request, so the host sees the hand at once; the API call
    // writes the authoritative time. A refused request takes the broadcast back.
    const announced = connection
      .send(raised ? "hand_raise" : "hand_lower", {})
      .catch((err) => warn("could not announce the hand", err));
    try {
      const result = await api(
        "POST",
        `${roomPath(store.state.room)}/hand-raise`,
        { participantIdentity: lk.localParticipant.identity, raised, question },
        connection.joined ? connection.joined.token : "",
      );
      store.update({ handAwaited: Boolean(result.handRaised) });
      if (raised && field instanceof HTMLInputElement) field.value = "";
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.release(), ATTRIBUTE_WAIT_MS);
      this.settle();
    } catch (err) {
      await announced;
      connection
        .send(raised ? "hand_lower" : "hand_raise", {})
        .catch((undoErr) => warn("undo failed", undoErr));
      store.update({ handBusy: false });
      store.setErrors({ action: messageOf(err) });
    }
  }
}
