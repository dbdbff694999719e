// @ts-check
// The show's HTTP API (the contract's endpoints on the host's HostDesk), as the page calls it:
// every failure becomes an ApiError whose message can be shown as it is.

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status, 0 when the server could not be reached
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * @param {string} method
 * @param {string} path
 * @param {object} [body] sent as JSON
 * @param {string} [token] the viewer's LiveKit token, which proves who is asking
 * @returns {Promise<Record<string, unknown>>}
 */
export async function api(method, path, body, token) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "Cannot reach the show's server");
  }
  /** @type {unknown} */
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  const object = /** @type {Record<string, unknown>} */ (
    data && typeof data === "object" ? data : {}
  );
  if (!response.ok) {
    let text = typeof object.error === "string" ? object.error : `HTTP ${response.status}`;
    if (response.status === 429) {
      const after = Number.parseInt(response.headers.get("Retry-After") || "", 10);
      text = Number.isFinite(after)
        ? `Too many requests: try again in ${after} s`
        : "Too many requests: try again in a moment";
    }
    throw new ApiError(response.status, text);
  }
  return object;
}

/** @param {string} room */
export const roomPath = (room) => `/api/rooms/${encodeURIComponent(room)}`;
