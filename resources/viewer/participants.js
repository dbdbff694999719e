// @ts-check
// Who is who in the room, read from what the server wrote: the role and display name in
// participant metadata, the raised hand in the `handRaisedAt` attribute and when a guest went
// on stage in `onStageSince` (server-written times). Viewers cannot write any of them, so this
// is the one rule for who has a hand, as the host reads it (hostdesk/show/participants.py).
// Pure: works on any object of LiveKit's shape.

/** The participant attribute holding when the hand was raised (ms since the epoch, as text). */
export const HAND_ATTRIBUTE = "handRaisedAt";

/** The participant attribute holding when a guest came on stage (ms since the epoch, as text). */
export const ON_STAGE_ATTRIBUTE = "onStageSince";

/**
 * @typedef {object} Someone
 * @property {string} identity
 * @property {string} [name]
 * @property {string} [metadata]
 * @property {Readonly<Record<string, string>>} [attributes]
 */

/**
 * @param {Someone} participant
 * @returns {Record<string, unknown>}
 */
function metadataOf(participant) {
  try {
    const data = JSON.parse(participant.metadata || "{}");
    return data && typeof data === "object" ? data : {};
  } catch {
    return {};
  }
}

/** @param {Someone} participant "host", "guest", "viewer", or "" when unknown */
export function roleOf(participant) {
  const role = metadataOf(participant).role;
  return typeof role === "string" ? role : "";
}

/** @param {Someone} participant */
export function nameOf(participant) {
  const name = metadataOf(participant).displayName;
  if (typeof name === "string" && name) return name;
  return participant.name || participant.identity;
}

/**
 * When the hand went up (ms since the epoch), or 0 when it is down.
 * @param {Someone} participant
 */
export function handRaisedAt(participant) {
  const text = ((participant.attributes || {})[HAND_ATTRIBUTE] || "").trim();
  if (!/^\+?\d+$/.test(text)) return 0;
  const stamp = Number(text);
  return stamp > 0 ? stamp : 0;
}

/**
 * When the guest went on stage (ms since the epoch, the server's clock), or null when they are
 * not on stage or the attribute is not a positive whole number in ASCII digits (as
 * hostdesk/show/stage_clock.py on_stage_since reads it).
 * @param {Readonly<Record<string, string>> | undefined} attributes
 */
export function onStageSince(attributes) {
  const text = (attributes || {})[ON_STAGE_ATTRIBUTE] || "";
  if (!/^[0-9]+$/.test(text)) return null;
  const stamp = Number(text);
  return stamp > 0 ? stamp : null;
}

/**
 * Viewers with a raised hand, first raised first; ties in identity order (as the host sorts).
 * @template {Someone} T
 * @param {Iterable<T>} participants
 * @returns {T[]}
 */
export function handQueue(participants) {
  return [...participants]
    .filter((p) => roleOf(p) === "viewer" && handRaisedAt(p) > 0)
    .sort(
      (a, b) =>
        handRaisedAt(a) - handRaisedAt(b) ||
        (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0),
    );
}

/**
 * `identity`'s place in the hand queue (1-based), or null when its hand is down.
 * @param {Iterable<Someone>} participants everyone in the room, the page's own participant too
 * @param {string} identity
 */
export function queuePosition(participants, identity) {
  const index = handQueue(participants).findIndex((p) => p.identity === identity);
  return index < 0 ? null : index + 1;
}

/**
 * The order of guests on stage: as they came on (ties and unknown times by identity), so a tile
 * keeps its place while others come and go.
 * @param {Someone} a
 * @param {Someone} b
 */
export function stageOrder(a, b) {
  const since = (/** @type {Someone} */ p) => onStageSince(p.attributes) ?? Number.MAX_VALUE;
  return since(a) - since(b) || (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0);
}

/**
 * The first participant with `role`, or null.
 * @template {Someone} T
 * @param {Iterable<T>} participants
 * @param {string} role
 * @returns {T | null}
 */
export function withRole(participants, role) {
  for (const participant of participants) if (roleOf(participant) === role) return participant;
  return null;
}

/**
 * @param {Iterable<Someone>} participants
 * @param {string} role
 */
export function countRole(participants, role) {
  let count = 0;
  for (const participant of participants) if (roleOf(participant) === role) count += 1;
  return count;
}
