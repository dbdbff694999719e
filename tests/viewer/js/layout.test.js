// Where the stage's tiles go (resources/viewer/layout.js), pure: grid and speaker focus.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  TILE_ASPECT,
  arrange,
  focusIndex,
  gapFor,
  gridShape,
  parseLayout,
} from "../../../resources/viewer/layout.js";
import { onStageSince, stageOrder } from "../../../resources/viewer/participants.js";

/** Desktop (1280x800 with the chat beside), a phone held upright (390x844), one sideways. */
const BOXES = [
  { width: 892, height: 640 },
  { width: 370, height: 660 },
  { width: 600, height: 220 },
];

const inside = (rect, box, height) =>
  rect.x >= 0 && rect.y >= 0 && rect.x + rect.width <= box.width && rect.y + rect.height <= height;
const overlap = (a, b) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

for (const layout of ["grid", "focus"]) {
  test(`${layout}: 1-7 tiles are 16:9, inside the box, apart from each other`, () => {
    for (const box of BOXES) {
      for (let count = 1; count <= 7; count += 1) {
        const { rects, height } = arrange(layout, count, count - 1, box);
        const where = `${count} tiles in ${box.width}x${box.height}`;
        assert.equal(rects.length, count, where);
        assert.ok(height <= box.height, `${where}: ${height} high`);
        for (const rect of rects) {
          assert.ok(rect.width > 0, where);
          assert.ok(inside(rect, box, height), `${where}: ${JSON.stringify(rect)}`);
          assert.ok(Math.abs(rect.width / TILE_ASPECT - rect.height) <= 1, where);
        }
        for (let i = 0; i < count; i += 1) {
          for (let j = i + 1; j < count; j += 1) {
            assert.ok(!overlap(rects[i], rects[j]), `${where}: ${i} and ${j} overlap`);
          }
        }
      }
    }
  });
}

test("the grid picks the columns that make the tiles largest", () => {
  // Wide and short: side by side. Tall and narrow (a phone): one above the other.
  assert.deepEqual(gridShape(2, 1200, 400, 10), { columns: 2, rows: 1, tileWidth: 595 });
  assert.equal(gridShape(3, 370, 660, 6).columns, 1);
  assert.equal(gridShape(3, 892, 640, 10).columns, 2);
  assert.equal(gridShape(4, 892, 640, 10).columns, 2);
  assert.equal(gridShape(6, 892, 640, 10).columns, 2);
  assert.equal(gridShape(6, 1400, 640, 10).columns, 3);
});

test("the grid's last row, when not full, is centred", () => {
  const { rects } = arrange("grid", 3, 0, { width: 892, height: 640 });
  const [a, b, c] = rects;
  assert.equal(a.y, b.y);
  assert.ok(c.y > a.y);
  const rowCentre = c.x + c.width / 2;
  assert.ok(Math.abs(rowCentre - 892 / 2) <= 1, `centre ${rowCentre}`);
});

test("a lone tile takes the whole width when the height allows", () => {
  const { rects, height } = arrange("grid", 1, 0, { width: 800, height: 600 });
  assert.deepEqual(rects, [{ x: 0, y: 0, width: 800, height: 450 }]);
  assert.equal(height, 450);
  // Height-limited: as wide as the height allows, centred.
  const short = arrange("grid", 1, 0, { width: 800, height: 180 }).rects[0];
  assert.deepEqual(short, { x: 240, y: 0, width: 320, height: 180 });
});

test("focus: the focused tile is large on top, every other one smaller in a row below", () => {
  for (const box of BOXES) {
    for (let count = 2; count <= 6; count += 1) {
      for (let focus = 0; focus < count; focus += 1) {
        const { rects } = arrange("focus", count, focus, box);
        const main = rects[focus];
        const others = rects.filter((_, i) => i !== focus);
        assert.equal(main.y, 0);
        for (const other of others) {
          assert.ok(other.width < main.width, `${count} in ${box.width}: ${focus}`);
          assert.ok(other.y >= main.y + main.height);
          assert.equal(other.y, others[0].y);
        }
        // The others keep their order in the strip.
        const xs = others.map((r) => r.x);
        assert.deepEqual(xs, [...xs].sort((p, q) => p - q));
      }
    }
  }
});

test("focus with one tile is the grid's one tile; a focus out of range is the first", () => {
  const box = { width: 892, height: 640 };
  assert.deepEqual(arrange("focus", 1, 0, box), arrange("grid", 1, 0, box));
  assert.deepEqual(arrange("focus", 3, 9, box), arrange("focus", 3, 2, box));
  assert.deepEqual(arrange("focus", 3, -1, box), arrange("focus", 3, 0, box));
});

test("the focus follows who spoke last while they are on stage, else the host's tile", () => {
  const members = ["host", "ada", "bo"];
  assert.equal(focusIndex(members, "bo"), 2);
  assert.equal(focusIndex(members, ""), 0);
  assert.equal(focusIndex(members, "gone"), 0);
});

test("the viewer's kept choice: focus, else the grid", () => {
  assert.equal(parseLayout("focus"), "focus");
  for (const kept of [null, "", "grid", "FOCUS", "tiles"]) assert.equal(parseLayout(kept), "grid");
});

test("tiles are spaced less on a narrow screen", () => {
  assert.ok(gapFor(370) < gapFor(892));
});

const guest = (identity, since) => ({
  identity,
  metadata: JSON.stringify({ role: "guest", displayName: identity }),
  attributes: since === undefined ? {} : { onStageSince: since },
});

test("guests stand in the order they came on stage; unknown times after, by identity", () => {
  const guests = [
    guest("cy"),
    guest("bo", "1704067200500"),
    guest("al", "1704067200900"),
    guest("ab"),
    guest("zed", "1704067200500"),
  ];
  assert.deepEqual(
    guests.sort(stageOrder).map((g) => g.identity),
    ["bo", "zed", "al", "ab", "cy"],
  );
  for (const value of [undefined, "", "0", "-5", "+5", " 12", "12.5", "12abc", "soon", "١٢٣"]) {
    assert.equal(onStageSince(guest("a", value).attributes), null, String(value));
  }
  assert.equal(onStageSince(guest("a", "1704067200000").attributes), 1704067200000);
});

import { SHARE_BESIDE_MIN_WIDTH, shared } from "../../../resources/viewer/layout.js";

test("share: the share is the largest tile, every camera beside it, 16:9, inside, apart", () => {
  for (const box of BOXES) {
    for (let cameras = 1; cameras <= 7; cameras += 1) {
      const { rects, height } = shared(cameras, box);
      const what = JSON.stringify({ box, cameras });
      assert.equal(rects.length, cameras + 1, what);
      assert.ok(height <= box.height, what);
      const [share, ...others] = rects;
      for (const rect of rects) {
        assert.ok(inside(rect, box, height), `${what} ${JSON.stringify(rect)}`);
        assert.ok(Math.abs(rect.width / TILE_ASPECT - rect.height) <= 1, what);
      }
      for (const camera of others) assert.ok(camera.width < share.width, what);
      for (let i = 0; i < rects.length; i += 1) {
        for (let j = i + 1; j < rects.length; j += 1) assert.ok(!overlap(rects[i], rects[j]), what);
      }
      if (box.width >= SHARE_BESIDE_MIN_WIDTH) {
        assert.ok(others.every((c) => c.x >= share.x + share.width), `${what}: beside`);
      } else {
        assert.ok(others.every((c) => c.y >= share.y + share.height), `${what}: below`);
      }
    }
  }
});

test("share on a desktop: the share takes most of the width", () => {
  const { rects } = shared(3, { width: 892, height: 640 });
  assert.ok(rects[0].width >= 892 * 0.65, JSON.stringify(rects[0]));
});
