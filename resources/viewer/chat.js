// @ts-check
// The chat as the page keeps it: lines in the state (the last CHAT_KEEP), a line of our own
// shown at once and taken back if it could not be sent, and lines from others shown only when
// they pass the same rule the server applies.

import { messageOf } from "./report.js";
import { nameOf, roleOf } from "./participants.js";
import { chatProblem, isShowableChat } from "./rules.js";

/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").ChatLine} ChatLine */
/** @typedef {import("./rules.js").ShowRules} ShowRules */
/** @typedef {import("./participants.js").Someone} Someone */

/** Lines kept on the page: a long show must not grow the page without end. */
export const CHAT_KEEP = 300;

let lastId = 0;

/**
 * @param {Store} store
 * @param {Omit<ChatLine, "id">} line
 * @returns {number} the line's id
 */
export function addLine(store, line) {
  const id = ++lastId;
  store.update((state) => ({ chat: [...state.chat, { ...line, id }].slice(-CHAT_KEEP) }));
  return id;
}

/** @param {Store} store @param {number} id */
function removeLine(store, id) {
  store.update((state) => ({ chat: state.chat.filter((line) => line.id !== id) }));
}

/**
 * Sends `text` as ours. Returns false (with the error shown) when it was refused or not sent,
 * so the caller can give the text back to the input.
 * @param {Store} store
 * @param {ShowRules} rules
 * @param {string} text already trimmed, not blank
 * @param {(text: string) => Promise<void>} send
 */
export async function sendChat(store, rules, text, send) {
  const problem = chatProblem(text, rules);
  store.setErrors({ chat: problem });
  if (problem) return false;
  const id = addLine(store, { who: `${store.state.name} (you)`, text, host: false, own: true });
  try {
    await send(text);
    return true;
  } catch (err) {
    removeLine(store, id);
    store.setErrors({ chat: `Not sent: ${messageOf(err)}` });
    return false;
  }
}

/**
 * A chat message from `participant` (as LiveKit stamped the packet, never the JSON's sender).
 * @param {Store} store
 * @param {ShowRules} rules
 * @param {Someone} participant
 * @param {unknown} text
 * @returns {string} why it was dropped, "" when shown
 */
export function receiveChat(store, rules, participant, text) {
  if (!isShowableChat(text, rules)) return "dropped an empty or over-long chat message";
  const host = roleOf(participant) === "host";
  addLine(store, { who: nameOf(participant), text, host, own: false });
  return "";
}
