// @ts-check
// The stage's tiles: the host's (in the page's HTML, there even before the host is) and one per
// guest, made when a guest comes on stage and dropped when they leave it. Each shows its
// member's camera, name and whether they are speaking (a ring), at the place layout.js gives
// it. A tile is never moved in the document (a video taken out of it stops playing): the
// layout only sets where it is drawn. A screen share (anyone's on stage) gets a tile of its own,
// the large one, while it lasts.

import { Track } from "livekit-client";
import { arrange, shared } from "./layout.js";

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

const SHARES = [Track.Source.ScreenShare, Track.Source.ScreenShareAudio];

/** @param {Participant | null} participant */
function cameraTrackOf(participant) {
  if (!participant) return null;
  const publication =
    participant.getTrackPublication(Track.Source.Camera) ||
    [...participant.trackPublications.values()].find(
      (p) => p.kind === "video" && !SHARES.includes(p.source),
    );
  if (!publication || !publication.track || publication.isMuted) return null;
  return publication.track;
}

/** The screen `participant` shares, or null. @param {Participant | null} participant */
export function shareTrackOf(participant) {
  const publication = participant?.getTrackPublication(Track.Source.ScreenShare);
  if (!publication || !publication.track || publication.isMuted) return null;
  return publication.track;
}

/**
 * A guest's tile (or the share's), shaped as the host's in index.html.
 * @param {"guest" | "share"} role
 * @returns {Tile}
 */
function makeTile(role) {
  const box = document.createElement("figure");
  box.className = "tile";
  box.dataset.role = role;
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
  tag.textContent = role === "share" ? "Screen" : "Guest";
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
    /** The share's tile, made at the first share. @type {Tile | null} */
    this.shareTile = null;
    /** Whose share is shown ("" for none). */
    this.sharer = "";
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
        tile = makeTile("guest");
        this.guests.set(guest.identity, tile);
        this.stage.append(tile.box);
      }
      this.show(tile, guest);
    }
    this.showShare([host, ...guests]);
  }

  /**
   * The first share among the members (the host's before the guests'), in the share's tile.
   * @param {Member[]} members
   */
  showShare(members) {
    const sharing = members.find((member) => shareTrackOf(member.participant));
    if (sharing && !this.shareTile) {
      this.shareTile = makeTile("share");
      this.shareTile.placeholder.hidden = true;
      this.stage.append(this.shareTile.box);
    }
    const tile = this.shareTile;
    if (!tile) return;
    const track = sharing ? shareTrackOf(sharing.participant) : null;
    const before = this.shown.get(tile) || null;
    if (before !== track) {
      if (before) before.detach(tile.video);
      if (track) track.attach(tile.video);
      else tile.video.srcObject = null;
      this.shown.set(tile, track);
    }
    this.sharer = sharing && track ? sharing.identity : "";
    tile.box.hidden = !this.sharer;
    tile.box.dataset.identity = this.sharer;
    const name = sharing ? `${sharing.name}'s screen` : "";
    if (tile.name.textContent !== name) tile.name.textContent = name;
  }

  /**
   * Places the tiles, host first, and rings those speaking.
   * @param {string[]} order identities in tile order (the host's first)
   * @param {StageLook} look
   */
  place(order, look) {
    const tiles = [this.hostTile, ...order.slice(1).map((identity) => this.guests.get(identity))];
    const share = this.sharer ? this.shareTile : null;
    const { rects: all, height } = share
      ? shared(tiles.length, look.box)
      : arrange(look.layout, tiles.length, look.focus, look.box);
    const rects = share ? all.slice(1) : all;
    if (share) placeTile(share, all[0]);
    this.stage.dataset.layout = share ? "share" : look.layout;
    this.stage.dataset.count = String(tiles.length);
    setPixels(this.stage, "--stage-h", height);
    tiles.forEach((tile, index) => {
      if (!tile) return;
      placeTile(tile, rects[index]);
      const identity = order[index];
      const focused = !share && look.layout === "focus" && index === look.focus;
      tile.box.classList.toggle("focused", focused);
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

/** @param {Tile} tile @param {import("./layout.js").Rect} rect */
function placeTile(tile, rect) {
  setPixels(tile.box, "--x", rect.x);
  setPixels(tile.box, "--y", rect.y);
  setPixels(tile.box, "--w", rect.width);
  setPixels(tile.box, "--h", rect.height);
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
