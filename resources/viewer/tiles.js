// @ts-check
// The stage's tiles: the host's (in the page's HTML, there even before the host is) and one per
// guest, made when a guest comes on stage and dropped when they leave it. Each shows its
// member's camera, name and whether they are speaking (a ring), at the place layout.js gives
// it. A tile is never moved in the document (a video taken out of it stops playing): the
// layout only sets where it is drawn.

import { Track } from "livekit-client";
import { arrange } from "./layout.js";

/** @typedef {import("livekit-client").Participant} Participant */
/** @typedef {import("livekit-client").Track} AnyTrack */
/** @typedef {import("./layout.js").Layout} Layout */

/**
 * @typedef {object} Tile
 * @property {HTMLElement} box
 * @property {HTMLVideoElement} video
 * @property {HTMLElement} name
 * @property {HTMLElement} placeholder
 */

/**
 * One member of the stage, as a tile shows them.
 * @typedef {object} Member
 * @property {string} identity "" for the host's tile while there is no host
 * @property {Participant | null} participant
 * @property {string} name
 * @property {boolean} local the page's own camera (shown mirrored)
 */

/**
 * @typedef {object} StageLook
 * @property {Layout} layout
 * @property {number} focus index (in the members) of the tile the focus layout shows large
 * @property {ReadonlySet<string>} speaking identities speaking now
 * @property {{width: number, height: number}} box the space the stage may fill
 */

/** @param {Participant | null} participant */
function cameraTrackOf(participant) {
  if (!participant) return null;
  const publication =
    participant.getTrackPublication(Track.Source.Camera) ||
    [...participant.trackPublications.values()].find((p) => p.kind === "video");
  if (!publication || !publication.track || publication.isMuted) return null;
  return publication.track;
}

/** A guest's tile, shaped as the host's in index.html. @returns {Tile} */
function makeGuestTile() {
  const box = document.createElement("figure");
  box.className = "tile";
  box.dataset.role = "guest";
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // sound plays through render.js's audio elements
  const placeholder = document.createElement("div");
  placeholder.className = "placeholder";
  placeholder.textContent = "Camera off";
  const caption = document.createElement("figcaption");
  const name = document.createElement("span");
  name.className = "name";
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = "Guest";
  caption.append(name, tag);
  box.append(video, placeholder, caption);
  return { box, video, name, placeholder };
}

export class StageTiles {
  /** @param {HTMLElement} stage @param {Tile} hostTile */
  constructor(stage, hostTile) {
    this.stage = stage;
    this.hostTile = hostTile;
    /** Guests' tiles by identity. @type {Map<string, Tile>} */
    this.guests = new Map();
    /** Which track each tile's video shows. @type {Map<Tile, AnyTrack | null>} */
    this.shown = new Map();
  }

  /**
   * @param {Member} host the host's tile (participant null while there is no host)
   * @param {Member[]} guests in tile order
   */
  members(host, guests) {
    this.show(this.hostTile, host);
    const present = new Set(guests.map((guest) => guest.identity));
    for (const [identity, tile] of this.guests) {
      if (present.has(identity)) continue;
      this.show(tile, null);
      this.shown.delete(tile);
      tile.box.remove();
      this.guests.delete(identity);
    }
    for (const guest of guests) {
      let tile = this.guests.get(guest.identity);
      if (!tile) {
        tile = makeGuestTile();
        this.guests.set(guest.identity, tile);
        this.stage.append(tile.box);
      }
      this.show(tile, guest);
    }
  }

  /**
   * Places the tiles, host first, and rings those speaking.
   * @param {string[]} order identities in tile order (the host's first)
   * @param {StageLook} look
   */
  place(order, look) {
    const tiles = [this.hostTile, ...order.slice(1).map((identity) => this.guests.get(identity))];
    const { rects, height } = arrange(look.layout, tiles.length, look.focus, look.box);
    this.stage.dataset.layout = look.layout;
    this.stage.dataset.count = String(tiles.length);
    setPixels(this.stage, "--stage-h", height);
    tiles.forEach((tile, index) => {
      if (!tile) return;
      const rect = rects[index];
      setPixels(tile.box, "--x", rect.x);
      setPixels(tile.box, "--y", rect.y);
      setPixels(tile.box, "--w", rect.width);
      setPixels(tile.box, "--h", rect.height);
      const identity = order[index];
      tile.box.classList.toggle("focused", look.layout === "focus" && index === look.focus);
      tile.box.classList.toggle("speaking", Boolean(identity) && look.speaking.has(identity));
    });
  }

  /** @param {Tile} tile @param {Member | null} member */
  show(tile, member) {
    const participant = member ? member.participant : null;
    const track = cameraTrackOf(participant);
    const before = this.shown.get(tile) || null;
    if (before !== track) {
      if (before) before.detach(tile.video);
      if (track) track.attach(tile.video);
      else tile.video.srcObject = null;
      this.shown.set(tile, track || null);
    }
    tile.box.dataset.identity = participant ? participant.identity : "";
    tile.video.classList.toggle("mirror", Boolean(member && member.local));
    tile.placeholder.hidden = Boolean(track);
    const name = member ? member.name : "";
    if (tile.name.textContent !== name) tile.name.textContent = name;
  }
}

/**
 * Sets a length through the CSS object model (the page's Content-Security-Policy refuses style
 * attributes, not this), only when it changed.
 * @param {HTMLElement} node
 * @param {string} property
 * @param {number} value
 */
function setPixels(node, property, value) {
  const text = `${value}px`;
  if (node.style.getPropertyValue(property) !== text) node.style.setProperty(property, text);
}
