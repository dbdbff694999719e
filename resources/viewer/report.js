// @ts-check
// How the page reports what went wrong: warnings in the console (a failed optional step must not
// look like a broken page), and the message of anything thrown, to show as it is.

/**
 * @param {string} text
 * @param {unknown} [detail]
 */
export function warn(text, detail) {
  console.warn(`HostDesk: ${text}`, detail === undefined ? "" : detail);
}

/** @param {unknown} error */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
