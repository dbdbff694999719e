// @ts-check
// The chat as the page keeps it: lines in the state (the last CHAT_KEEP), a line of our own
// shown at once and taken back if it could not be sent, and lines from others shown only when
// they pass the rules the server and the host's window apply: the show's limits (rules.js) and
// the host's moderation (moderation.js: a muted sender, a hidden message, slow mode). A line
// the host hides later leaves the page at once, ours too. Our own sending follows the same
// moderation, so that we never see a line of ours that the others drop: nothing while our chat
// is muted, and in slow mode nothing until the slow mode has passed since our last line went.

import {
  ChatGate,
  chatSettings,
  isChatMuted,
  isSlowed,
  messageId,
} from "./moderation.js";
import { nameOf, roleOf } from "./participants.js";
import { messageOf } from "./report.js";
import { chatProblem, isShowableChat } from "./rules.js";

/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").ChatLine} ChatLine */
/** @typedef {import("./rules.js").ShowRules} ShowRules */
/** @typedef {import("./participants.js").Someone} Someone */
/** @typedef {import("./messages.js").DataMessage} DataMessage */
/** @typedef {(text: string) => Promise<{identity: string, timestamp: number}>} Send */

/** Lines kept on the page: a long show must not grow the page without end. */
export const CHAT_KEEP = 300;
export const MUTED_TEXT = "The host has muted your chat";

/** @param {number} seconds */
export const slowModeText = (seconds) => `Slow mode: one message every ${seconds} s`;

let lastId = 0;

/**
 * @typedef {object} ChatNotice what the page says and allows about our own chat
 * @property {string} text muted, or the slow mode ("" when neither holds)
 * @property {"info" | "warning"} kind
 * @property {boolean} canType
 * @property {boolean} canSend
 * @property {string} send the Send button's text: the countdown while slow mode holds us back
 */

/**
 * What the page says about our own chat, from the state and our participant.
 * @param {Readonly<import("./store.js").PageState>} state
 * @param {Someone | null} me
 * @returns {ChatNotice}
 */
export function chatNotice(state, me) {
  const send = "Send";
  if (!me) return { text: "", kind: "info", canType: false, canSend: false, send };
  if (isChatMuted(me.attributes)) {
    return { text: MUTED_TEXT, kind: "warning", canType: false, canSend: false, send };
  }
  if (!isSlowed(roleOf(me), state.chatSettings)) {
    return { text: "", kind: "info", canType: true, canSend: true, send };
  }
  const text = slowModeText(state.chatSettings.slowModeS);
  const canSend = !state.chatSending && state.chatWaitS === 0;
  const wait = state.chatWaitS > 0 ? `${state.chatWaitS} s` : send;
  return { text, kind: "info", canType: true, canSend, send: wait };
}

export class Chat {
  /**
   * @param {Store} store
   * @param {ShowRules} rules
   * @param {() => Someone | null} me our own participant while connected
   */
  constructor(store, rules, me) {
    this.store = store;
    this.rules = rules;
    this.me = me;
    this.gate = new ChatGate(rules.slowModeSlackMs);
    /** When our last line went out (performance.now()). */
    this.lastSentMs = Number.NEGATIVE_INFINITY;
    /** Lines of ours on their way (slow mode counts from when the last one went). */
    this.inFlight = 0;
    this.timer = 0;
  }

  /** @param {Omit<ChatLine, "id">} line @returns {number} the line's id */
  addLine(line) {
    const id = ++lastId;
    this.store.update((state) => ({
      chat: [...state.chat, { ...line, id }].slice(-CHAT_KEEP),
    }));
    return id;
  }

  /** @param {number} id */
  removeLine(id) {
    this.store.update((state) => ({ chat: state.chat.filter((line) => line.id !== id) }));
  }

  /** The room's metadata (as the server wrote it) is this now. @param {string | undefined} metadata */
  settingsChanged(metadata) {
    const settings = chatSettings(metadata);
    this.store.update((state) => ({
      chatSettings: settings,
      chat: state.chat.filter((line) => !settings.hidden.has(line.messageId)),
    }));
    this.tick();
  }

  /** A participant left: their slow-mode clock goes with them. @param {string} identity */
  left(identity) {
    this.gate.forget(identity);
  }

  /** Whether our own chat is muted by the host now. */
  muted() {
    const me = this.me();
    return Boolean(me && isChatMuted(me.attributes));
  }

  /** Whether slow mode applies to us now. */
  slowed() {
    const me = this.me();
    return Boolean(me && isSlowed(roleOf(me), this.store.state.chatSettings));
  }

  /** How long slow mode still holds us back, in ms (0: we may send). */
  heldMs() {
    if (!this.slowed()) return 0;
    const wait = this.store.state.chatSettings.slowModeS * 1000;
    return Math.max(0, this.lastSentMs + wait - performance.now());
  }

  /** Keeps `chatWaitS` (the countdown the page shows) true, redrawing as it counts down. */
  tick() {
    clearTimeout(this.timer);
    const left = this.heldMs();
    const waitS = Math.ceil(left / 1000);
    if (waitS !== this.store.state.chatWaitS) this.store.update({ chatWaitS: waitS });
    // Next when the shown number changes.
    if (left > 0) this.timer = window.setTimeout(() => this.tick(), left - (waitS - 1) * 1000);
  }

  /**
   * Sends `text` as ours. Returns false (with the error shown) when it was refused or not sent,
   * so the caller can give the text back to the input.
   * @param {string} text already trimmed, not blank
   * @param {Send} send
   */
  async send(text, send) {
    const { store } = this;
    // The page's Send waits meanwhile (chatNotice); this is for a submit that came anyway.
    const slowed = this.slowed();
    const waitS = Math.ceil(this.heldMs() / 1000);
    const problem =
      chatProblem(text, this.rules) ||
      (this.muted() ? MUTED_TEXT : "") ||
      (slowed && this.inFlight ? "Slow mode: wait until your last message is sent" : "") ||
      (waitS > 0 ? `Slow mode: you can send again in ${waitS} s` : "");
    store.setErrors({ chat: problem });
    if (problem) return false;
    const line = { who: `${store.state.name} (you)`, text, host: false, own: true, messageId: "" };
    const id = this.addLine(line);
    this.inFlight += 1;
    store.update({ chatSending: true });
    try {
      const sent = await send(text);
      this.lastSentMs = performance.now();
      const name = messageId(sent.identity, sent.timestamp);
      store.update((state) => ({
        chat: state.chat.flatMap((shown) => {
          if (shown.id !== id) return [shown];
          return state.chatSettings.hidden.has(name) ? [] : [{ ...shown, messageId: name }];
        }),
      }));
      return true;
    } catch (err) {
      this.removeLine(id);
      store.setErrors({ chat: `Not sent: ${messageOf(err)}` });
      return false;
    } finally {
      this.inFlight -= 1;
      store.update({ chatSending: this.inFlight > 0 });
      this.tick();
    }
  }

  /**
   * A chat message from `participant` (as LiveKit stamped the packet, never the JSON's sender).
   * @param {Someone} participant
   * @param {DataMessage} message
   * @param {number} arrivedMs when it arrived (performance.now())
   * @returns {string} why it was dropped, "" when shown
   */
  receive(participant, message, arrivedMs) {
    const { message: text, timestamp } = message;
    if (!isShowableChat(text, this.rules)) return "dropped an empty or over-long chat message";
    if (typeof timestamp !== "number" || !Number.isFinite(timestamp)) {
      return "dropped a chat message without a timestamp";
    }
    const role = roleOf(participant);
    const { identity, attributes } = participant;
    const settings = this.store.state.chatSettings;
    const why = this.gate.admit(identity, role, attributes, timestamp, arrivedMs, settings);
    if (why) return `dropped a chat message from ${identity}: ${why}`;
    const host = role === "host";
    const name = messageId(identity, timestamp);
    this.addLine({ who: nameOf(participant), text, host, own: false, messageId: name });
    return "";
  }
}
