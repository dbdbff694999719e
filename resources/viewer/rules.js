// @ts-check
// The show's limits as the server gave them (rules.for_clients, embedded in the page by
// hostdesk/api/viewer.py), and the checks the page makes with them before the server would
// refuse: the same rule, never a copy of a limit.

/**
 * @typedef {object} ShowRules
 * @property {number} nameMaxLength at most this many characters (code points) in a name
 * @property {string} nameForbidden a regular-expression character class (valid with the `u`
 *   flag) of what a name may not contain
 * @property {number} chatMaxLength at most this many characters in a chat message
 * @property {number} questionMaxLength at most this many characters in a raised hand's question
 * @property {number} inviteTimeoutMs an invitation nobody answers lapses after this long
 * @property {number} slowModeSlackMs how much sooner than the slow mode a viewer's next chat
 *   line may arrive and still be shown (moderation.js)
 * @property {number} stageSize guests on stage at once
 * @property {number} stageWarningSeconds a guest's page warns when at most this many seconds
 *   of the show's limit on time on stage are left (stageclock.js)
 */

const NUMBERS = /** @type {const} */ ([
  "nameMaxLength",
  "chatMaxLength",
  "questionMaxLength",
  "inviteTimeoutMs",
  "slowModeSlackMs",
  "stageSize",
  "stageWarningSeconds",
]);

/**
 * The rules in the page's `<script type="application/json" id="show-rules">`.
 * @param {Document} doc
 * @returns {ShowRules}
 */
export function readRules(doc) {
  const block = doc.getElementById("show-rules");
  if (!block || !block.textContent) throw new Error("the page carries no show rules");
  return parseRules(block.textContent);
}

/**
 * @param {string} text the JSON the server wrote
 * @returns {ShowRules}
 */
export function parseRules(text) {
  /** @type {Record<string, unknown>} */
  const data = JSON.parse(text);
  for (const key of NUMBERS) {
    if (typeof data[key] !== "number") throw new Error(`the show rules lack ${key}`);
  }
  if (typeof data.nameForbidden !== "string") throw new Error("the show rules lack nameForbidden");
  new RegExp(data.nameForbidden, "u"); // throws now, not at the first name, if invalid
  return /** @type {ShowRules} */ (/** @type {unknown} */ (data));
}

/**
 * Characters as the server counts them (code points, not UTF-16 units).
 * @param {string} text
 */
export const codePoints = (text) => [...text].length;

/**
 * Why `value` cannot be a name ("" when it can), in the words the page shows.
 * @param {string} label what the name is of ("Your name")
 * @param {string} value
 * @param {ShowRules} rules
 */
export function nameProblem(label, value, rules) {
  if (!value.trim()) return `${label} is required`;
  if (codePoints(value) > rules.nameMaxLength) {
    return `${label} is too long (at most ${rules.nameMaxLength} characters)`;
  }
  if (new RegExp(rules.nameForbidden, "u").test(value)) {
    return `${label} must not contain control characters`;
  }
  return "";
}

/**
 * Why `text` cannot be sent as a chat message ("" when it can; blank text is not sent at all).
 * @param {string} text
 * @param {ShowRules} rules
 */
export function chatProblem(text, rules) {
  if (codePoints(text) > rules.chatMaxLength) {
    return `A message can be at most ${rules.chatMaxLength} characters`;
  }
  return "";
}

/**
 * Whether a chat message someone else sent is one the page shows (others' pages may not check).
 * @param {unknown} text
 * @param {ShowRules} rules
 * @returns {text is string}
 */
export function isShowableChat(text, rules) {
  return typeof text === "string" && Boolean(text.trim()) && !chatProblem(text, rules);
}
