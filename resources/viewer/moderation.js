// @ts-check
// Chat moderation as the page reads it: the same rule as the host's window
// (hostdesk/show/chat.py), from what only the server writes.
// - The room's metadata carries the chat settings, `{"chat": {"slowModeSeconds": N,
//   "hidden": ["<sender identity>:<timestamp>", ...]}}`; anything else reads as none.
// - A participant's attribute `chatMuted` is "1" while the host has muted their chat.
// A chat message is named by its sender as LiveKit stamped the packet (never the JSON's
// senderId) and its `timestamp`. Pure: no DOM, no LiveKit.

/** Participant attribute: "1" while the host has muted the participant's chat. */
export const CHAT_MUTED_ATTRIBUTE = "chatMuted";
/** The key of the chat settings in the room's metadata. */
export const ROOM_CHAT_KEY = "chat";

/** Why `ChatGate.admit` drops a line (the window's words). */
export const MUTED = "the sender's chat is muted";
export const HIDDEN = "the host hid this message";
export const TOO_SOON = "slow mode: too soon after the sender's last message";

/**
 * The room's chat settings: slow mode in seconds (0 is off) and the hidden messages' ids.
 * @typedef {{slowModeS: number, hidden: ReadonlySet<string>}} ChatSettings
 */

/** @type {Readonly<ChatSettings>} */
export const NO_SETTINGS = Object.freeze({ slowModeS: 0, hidden: new Set() });

/**
 * The settings the server wrote in the room's metadata; anything else reads as none.
 * @param {string | undefined} metadata
 * @returns {ChatSettings}
 */
export function chatSettings(metadata) {
  /** @type {unknown} */
  let data;
  try {
    data = metadata ? JSON.parse(metadata) : null;
  } catch {
    return NO_SETTINGS;
  }
  const chat = isObject(data) ? data[ROOM_CHAT_KEY] : null;
  if (!isObject(chat)) return NO_SETTINGS;
  const slow = chat.slowModeSeconds;
  const hidden = Array.isArray(chat.hidden) ? chat.hidden : [];
  return {
    slowModeS: typeof slow === "number" && Number.isInteger(slow) && slow > 0 ? slow : 0,
    hidden: new Set(hidden.filter((id) => typeof id === "string")),
  };
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The name of a chat message: who LiveKit says sent it, and when they said they did (the
 * timestamp as a whole number, written out in full as Python writes an int).
 * @param {string} sender
 * @param {number} timestamp a finite number
 */
export function messageId(sender, timestamp) {
  return `${sender}:${BigInt(Math.trunc(timestamp))}`;
}

/** @param {Readonly<Record<string, string>> | undefined} attributes */
export function isChatMuted(attributes) {
  return attributes?.[CHAT_MUTED_ATTRIBUTE] === "1";
}

/**
 * Whether slow mode holds back a sender of this role: viewers (and anyone of unknown role),
 * never the host or a guest.
 * @param {string} role "host", "guest", "viewer" or "" (participants.js roleOf)
 * @param {Readonly<ChatSettings>} settings
 */
export function isSlowed(role, settings) {
  return settings.slowModeS > 0 && role !== "host" && role !== "guest";
}

/**
 * Decides, for one page, whether an arriving chat line is shown. A muted sender's lines and
 * hidden messages are dropped. In slow mode a viewer's line that arrives sooner than the slow
 * mode after their last shown one is dropped, less the slack for the network (the sender's page
 * already waits the whole time).
 */
export class ChatGate {
  /** @param {number} slackMs the rules' slowModeSlackMs */
  constructor(slackMs) {
    this.slackMs = slackMs;
    /** When each sender's last shown line arrived. @type {Map<string, number>} */
    this.lastShownMs = new Map();
  }

  /**
   * "" when the line is shown (and counted for slow mode), else why it is not.
   * @param {string} sender the identity LiveKit stamped on the packet
   * @param {string} role the sender's role, as the server wrote it
   * @param {Readonly<Record<string, string>> | undefined} attributes the sender's attributes
   * @param {number} timestamp the message's timestamp field
   * @param {number} arrivedMs when it arrived (any clock that does not jump)
   * @param {Readonly<ChatSettings>} settings
   */
  admit(sender, role, attributes, timestamp, arrivedMs, settings) {
    if (isChatMuted(attributes)) return MUTED;
    if (settings.hidden.has(messageId(sender, timestamp))) return HIDDEN;
    if (isSlowed(role, settings)) {
      const last = this.lastShownMs.get(sender);
      const gap = settings.slowModeS * 1000 - this.slackMs;
      if (last !== undefined && arrivedMs - last < gap) return TOO_SOON;
    }
    this.lastShownMs.set(sender, arrivedMs);
    return "";
  }

  /** The sender left: their slow-mode clock goes with them. @param {string} sender */
  forget(sender) {
    this.lastShownMs.delete(sender);
  }
}
