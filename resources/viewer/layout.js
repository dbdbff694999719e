// @ts-check
// Where each tile of the stage goes: the host and every guest, as a grid that fits the space
// the page has, or with one member (the active speaker) large and the others in a strip below.
// Pure: from the number of tiles, which one is in focus and the box to fill, to a rectangle per
// tile. While someone shares a screen, the share is the large one and every camera sits beside
// it (`shared`), whatever the viewer chose; the choice comes back when the share ends. Every tile
// has the stage's 16:9 shape; a picture of another shape is letterboxed in it
// (object-fit: contain, viewer.css), never cropped.

/** @typedef {"grid" | "focus"} Layout */
/** @typedef {{x: number, y: number, width: number, height: number}} Rect */
/** @typedef {{rects: Rect[], height: number}} Arrangement */

export const LAYOUTS = /** @type {const} */ (["grid", "focus"]);
export const DEFAULT_LAYOUT = "grid";
/** Width over height of every tile. */
export const TILE_ASPECT = 16 / 9;
/** The strip of the focus layout takes at most this share of the height. */
export const STRIP_SHARE = 0.25;

/**
 * The layout kept for the viewer (localStorage's text), or the default.
 * @param {string | null} kept
 * @returns {Layout}
 */
export function parseLayout(kept) {
  return kept === "focus" ? "focus" : DEFAULT_LAYOUT;
}

/** Space between tiles: less on a narrow screen. @param {number} width */
export const gapFor = (width) => (width < 600 ? 6 : 10);

/**
 * The grid of `count` tiles that makes them largest in `width` x `height`.
 * @param {number} count
 * @param {number} width
 * @param {number} height
 * @param {number} gap
 * @returns {{columns: number, rows: number, tileWidth: number}}
 */
export function gridShape(count, width, height, gap) {
  let best = { columns: 1, rows: Math.max(1, count), tileWidth: 0 };
  for (let columns = 1; columns <= Math.max(1, count); columns += 1) {
    const rows = Math.ceil(count / columns);
    const byWidth = (width - gap * (columns - 1)) / columns;
    const byHeight = ((height - gap * (rows - 1)) / rows) * TILE_ASPECT;
    const tileWidth = Math.floor(Math.max(0, Math.min(byWidth, byHeight)));
    if (tileWidth > best.tileWidth) best = { columns, rows, tileWidth };
  }
  return best;
}

/**
 * `count` tiles in a grid, centred; a last row that is not full is centred too.
 * @param {number} count
 * @param {number} width
 * @param {number} height
 * @returns {Arrangement}
 */
export function grid(count, width, height) {
  const gap = gapFor(width);
  const { columns, rows, tileWidth } = gridShape(count, width, height, gap);
  const tileHeight = Math.floor(tileWidth / TILE_ASPECT);
  /** @type {Rect[]} */
  const rects = [];
  for (let index = 0; index < count; index += 1) {
    const row = Math.floor(index / columns);
    const inRow = row === rows - 1 ? count - columns * (rows - 1) : columns;
    const rowWidth = inRow * tileWidth + (inRow - 1) * gap;
    const left = Math.floor((width - rowWidth) / 2);
    rects.push({
      x: left + (index % columns) * (tileWidth + gap),
      y: row * (tileHeight + gap),
      width: tileWidth,
      height: tileHeight,
    });
  }
  return { rects, height: rows * tileHeight + (rows - 1) * gap };
}

/**
 * The tile at `focus` large at the top, the others in one row below it, both centred.
 * @param {number} count
 * @param {number} focus index of the tile in focus
 * @param {number} width
 * @param {number} height
 * @returns {Arrangement}
 */
export function focused(count, focus, width, height) {
  if (count < 2) return grid(count, width, height);
  const gap = gapFor(width);
  const others = count - 1;
  const byWidth = (width - gap * (others - 1)) / others;
  const stripWidth = Math.floor(
    Math.max(0, Math.min(byWidth, height * STRIP_SHARE * TILE_ASPECT)),
  );
  const stripHeight = Math.floor(stripWidth / TILE_ASPECT);
  const mainWidth = Math.floor(
    Math.max(0, Math.min(width, (height - stripHeight - gap) * TILE_ASPECT)),
  );
  const mainHeight = Math.floor(mainWidth / TILE_ASPECT);
  const mainX = Math.floor((width - mainWidth) / 2);
  const main = { x: mainX, y: 0, width: mainWidth, height: mainHeight };
  const rowWidth = others * stripWidth + (others - 1) * gap;
  const left = Math.floor((width - rowWidth) / 2);
  const y = mainHeight + gap;
  /** @type {Rect[]} */
  const rects = [];
  let slot = 0;
  for (let index = 0; index < count; index += 1) {
    if (index === focus) {
      rects.push(main);
      continue;
    }
    rects.push({ x: left + slot * (stripWidth + gap), y, width: stripWidth, height: stripHeight });
    slot += 1;
  }
  return { rects, height: y + stripHeight };
}

/**
 * @param {Layout} layout
 * @param {number} count tiles on stage (the host's first)
 * @param {number} focus index of the tile in focus (the focus layout's large one)
 * @param {{width: number, height: number}} box the space the stage may fill
 * @returns {Arrangement}
 */
export function arrange(layout, count, focus, box) {
  const width = Math.max(0, Math.floor(box.width));
  const height = Math.max(0, Math.floor(box.height));
  const inRange = Math.min(Math.max(focus, 0), count - 1);
  if (layout === "focus") return focused(count, inRange, width, height);
  return grid(count, width, height);
}

/**
 * Which tile the focus layout shows large: the member who spoke last, while on stage; else the
 * first (the host).
 * @param {readonly string[]} members identities on stage, in tile order
 * @param {string} lastSpeaker identity of who spoke last ("" when nobody has yet)
 */
export function focusIndex(members, lastSpeaker) {
  const index = lastSpeaker ? members.indexOf(lastSpeaker) : -1;
  return index < 0 ? 0 : index;
}

/** Below this width the cameras go under the share (a phone), not beside it. */
export const SHARE_BESIDE_MIN_WIDTH = 600;

/**
 * A screen share large with `cameras` camera tiles beside it: in a column on its right, or on a
 * narrow screen in a row below it. The share's rectangle comes first, then the cameras'.
 * @param {number} cameras camera tiles (the host's first)
 * @param {{width: number, height: number}} box the space the stage may fill
 * @returns {Arrangement}
 */
export function shared(cameras, box) {
  const width = Math.max(0, Math.floor(box.width));
  const height = Math.max(0, Math.floor(box.height));
  if (width < SHARE_BESIDE_MIN_WIDTH) return focused(cameras + 1, 0, width, height);
  const gap = gapFor(width);
  const count = Math.max(1, cameras);
  const byHeight = ((height - gap * (count - 1)) / count) * TILE_ASPECT;
  const columnWidth = Math.floor(Math.max(0, Math.min(width * STRIP_SHARE, byHeight)));
  const tileHeight = Math.floor(columnWidth / TILE_ASPECT);
  const shareWidth = Math.floor(
    Math.max(0, Math.min(width - columnWidth - gap, height * TILE_ASPECT)),
  );
  const shareHeight = Math.floor(shareWidth / TILE_ASPECT);
  const left = Math.floor((width - shareWidth - gap - columnWidth) / 2);
  /** @type {Rect[]} */
  const rects = [{ x: left, y: 0, width: shareWidth, height: shareHeight }];
  const columnX = left + shareWidth + gap;
  for (let index = 0; index < cameras; index += 1) {
    rects.push({ x: columnX, y: index * (tileHeight + gap), width: columnWidth, height: tileHeight });
  }
  const columnHeight = cameras * tileHeight + Math.max(0, cameras - 1) * gap;
  return { rects, height: Math.max(shareHeight, columnHeight) };
}
