// @ts-check
// The viewer's hand. Whether it is up is the server-written attribute (participants.js), never
// a flag of the page's: a click asks the server (which writes the time) and broadcasts the news
// for the host's instant display; the button waits until the attribute says what the server
// answered.

import { api, roomPath } from "./api.js";
import { handRaisedAt } from "./participants.js";
import { messageOf, warn } from "./report.js";
import { isOnStage } from "./stage.js";

/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./connection.js").Connection} Connection */

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
        { participantIdentity: lk.localParticipant.identity, raised },
        connection.joined ? connection.joined.token : "",
      );
      store.update({ handAwaited: Boolean(result.handRaised) });
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
