// @ts-check
// The page's state, in one place with one way to change it: `update` merges a change and
// schedules one redraw (a microtask later, so a burst of LiveKit events draws once). Drawing
// reads the state; it never writes it.

import { NO_SETTINGS } from "./moderation.js";
import { AUDIENCE } from "./stage.js";

/** @typedef {import("./stage.js").Stage} Stage */
/** @typedef {import("./moderation.js").ChatSettings} ChatSettings */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./stageclock.js").StageClock} StageClock */

/**
 * Where the page is with the show's connection. "joined" is connected; whether that shows as
 * live, waiting or reconnecting follows from the room (status.js).
 * @typedef {"idle" | "waiting" | "connecting" | "reconnecting" | "joined" | "ended" | "removed"
 *   | "failed"} Phase
 */

/** @typedef {{text: string, kind: "info" | "warning" | "final"}} Notice */

/**
 * @typedef {object} ChatLine
 * @property {number} id
 * @property {string} who
 * @property {string} text
 * @property {boolean} host
 * @property {boolean} own
 * @property {string} messageId the message's name (moderation.js messageId), by which the host
 *   hides it; "" for a line of our own not sent yet
 */

/**
 * @typedef {object} PageState
 * @property {string} fixedRoom the show named by the link (/watch/<room>), "" on the home page
 * @property {string} room
 * @property {string} name
 * @property {boolean} showing the show (rather than the join form) is on screen
 * @property {boolean} joining the join request is under way (the form waits)
 * @property {boolean} broken the page could not load what it needs; it cannot join
 * @property {Phase} phase
 * @property {Notice} notice shown while not joined (and for final phases)
 * @property {boolean} resuming livekit-client is resuming the connection by itself
 * @property {boolean} hostSeen the host has been in the room since the page joined
 * @property {string} identity the viewer's identity, from the join answer
 * @property {Stage} stage
 * @property {boolean} handBusy a hand request is under way, or its answer is not yet in the
 *   attribute the server writes (the button waits meanwhile)
 * @property {boolean | null} handAwaited the hand the server answered, until its attribute
 *   says the same
 * @property {{join: string, action: string, chat: string}} errors
 * @property {ChatLine[]} chat
 * @property {Readonly<ChatSettings>} chatSettings the room's chat settings (its metadata)
 * @property {boolean} chatSending a line of ours is on its way (in slow mode, the next waits)
 * @property {number} chatWaitS seconds until slow mode lets us send again (0: now)
 * @property {Layout} layout how the stage is laid out (the viewer's choice)
 * @property {string} lastSpeaker who on stage spoke last (the focus layout shows them large)
 * @property {number} stageLimitS the show's limit on a guest's time on stage (0: none)
 * @property {StageClock | null} stageClock this page's clock while it is on stage
 * @property {string} stageNote what the host did to our place or share (sent back from
 *   backstage, stopped our screen share), until the next step on stage
 */

/** @returns {PageState} */
export function initialState() {
  return {
    fixedRoom: "",
    room: "",
    name: "",
    showing: false,
    joining: false,
    broken: false,
    phase: "idle",
    notice: { text: "", kind: "info" },
    resuming: false,
    hostSeen: false,
    identity: "",
    stage: AUDIENCE,
    handBusy: false,
    handAwaited: null,
    errors: { join: "", action: "", chat: "" },
    chat: [],
    chatSettings: NO_SETTINGS,
    chatSending: false,
    chatWaitS: 0,
    layout: "grid",
    lastSpeaker: "",
    stageLimitS: 0,
    stageClock: null,
    stageNote: "",
  };
}

export class Store {
  /** @param {PageState} state @param {(state: Readonly<PageState>) => void} draw */
  constructor(state, draw) {
    /** @type {Readonly<PageState>} */
    this.state = state;
    this.draw = draw;
    this.scheduled = false;
  }

  /** @param {Partial<PageState> | ((state: Readonly<PageState>) => Partial<PageState>)} change */
  update(change) {
    const patch = typeof change === "function" ? change(this.state) : change;
    this.state = Object.freeze({ ...this.state, ...patch });
    this.redraw();
  }

  /** @param {Partial<PageState["errors"]>} errors */
  setErrors(errors) {
    this.update((state) => ({ errors: { ...state.errors, ...errors } }));
  }

  /** Draws again soon (after the room changed, which is LiveKit's state, not ours). */
  redraw() {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.draw(this.state);
    });
  }
}
