// @ts-check
// The data messages of the contract (`type`, `senderId`, `senderName`, `timestamp` and the
// fields of each type), as JSON on LiveKit's data channel. Decoding never trusts the JSON's
// sender: the page decides by the participant LiveKit stamps on the packet.

/** The topic the page sends under. */
export const TOPIC = "hostdesk";

/**
 * Whether a packet on this topic is read as a show message. The contract names no topic, so a
 * client written to it alone sends with none (LiveKit gives "" or undefined): read like our
 * own, under the same trust rules. Any other topic is another app's traffic: left alone.
 * @param {string | undefined} topic
 */
export function isShowTopic(topic) {
  return !topic || topic === TOPIC;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @typedef {object} DataMessage
 * @property {string} type
 * @property {string} [senderId]
 * @property {string} [senderName]
 * @property {number} [timestamp]
 * @property {string} [targetParticipantId]
 * @property {string} [message]
 * @property {boolean} [accepted]
 */

/**
 * @param {string} type
 * @param {{identity: string, name: string}} sender
 * @param {Record<string, unknown>} fields
 * @param {number} now ms since the epoch
 */
export function encodeMessage(type, sender, fields, now) {
  const message = {
    type,
    senderId: sender.identity,
    senderName: sender.name,
    timestamp: now,
    ...fields,
  };
  return encoder.encode(JSON.stringify(message));
}

/**
 * The message in a packet, or why it was dropped.
 * @param {Uint8Array} payload
 * @returns {{message: DataMessage} | {dropped: string}}
 */
export function decodeMessage(payload) {
  /** @type {unknown} */
  let data;
  try {
    data = JSON.parse(decoder.decode(payload));
  } catch {
    return { dropped: "dropped a data packet that is not JSON" };
  }
  const object = data && typeof data === "object" ? data : null;
  const typed = /** @type {{type?: unknown} | null} */ (object);
  if (!typed || typeof typed.type !== "string") {
    return { dropped: "dropped a data packet without a type" };
  }
  return { message: /** @type {DataMessage} */ (data) };
}
