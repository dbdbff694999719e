// @ts-check
// The viewer's camera and microphone: opened while the host promotes (so publishing starts at
// once), published on stage, unpublished and stopped when back in the audience.

import { createLocalTracks } from "livekit-client";
import { warn } from "./report.js";

/** @typedef {import("livekit-client").Room} Room */
/** @typedef {import("livekit-client").LocalTrack} LocalTrack */

// The promotion did not come this long after accepting (the stage filled up, the host changed
// their mind): the devices are let go.
export const PREPARED_TRACKS_TTL_MS = 15_000;

export class Media {
  /** @param {() => void} lapsed called when prepared devices were not used in time */
  constructor(lapsed) {
    this.lapsed = lapsed;
    /** @type {{tracks: Promise<LocalTrack[]>, timer: number} | null} */
    this.prepared = null;
    /** Publishing and unpublishing, one after the other. @type {Promise<unknown>} */
    this.ops = Promise.resolve();
  }

  prepare() {
    this.drop();
    const tracks = createLocalTracks({ audio: true, video: true }).catch((err) => {
      warn("could not open the camera or microphone yet", err);
      return /** @type {LocalTrack[]} */ ([]);
    });
    this.prepared = { tracks, timer: window.setTimeout(this.lapsed, PREPARED_TRACKS_TTL_MS) };
  }

  /**
   * The prepared camera and microphone, handed over (to the backstage room), or null.
   * @returns {Promise<LocalTrack[]> | null}
   */
  take() {
    const prepared = this.prepared;
    this.prepared = null;
    if (!prepared) return null;
    clearTimeout(prepared.timer);
    return prepared.tracks;
  }

  drop() {
    const prepared = this.prepared;
    this.prepared = null;
    if (!prepared) return;
    clearTimeout(prepared.timer);
    prepared.tracks.then((tracks) => tracks.forEach((track) => track.stop()));
  }

  /**
   * Publishes camera and microphone (the prepared ones when there are).
   * @param {Room} lk
   * @param {() => boolean} stillWanted the page is still on stage in this room
   */
  async publish(lk, stillWanted) {
    if (!stillWanted()) return;
    const participant = lk.localParticipant;
    const prepared = this.prepared;
    this.prepared = null;
    /** @type {LocalTrack[]} */
    let tracks = [];
    if (prepared) {
      clearTimeout(prepared.timer);
      tracks = await prepared.tracks;
    }
    if (!stillWanted()) {
      tracks.forEach((track) => track.stop());
      return;
    }
    const live = tracks.filter((track) => track.mediaStreamTrack.readyState === "live");
    await Promise.all(live.map((track) => participant.publishTrack(track)));
    /** @type {Promise<unknown>[]} */
    const pending = [];
    if (!participant.isCameraEnabled) pending.push(participant.setCameraEnabled(true));
    if (!participant.isMicrophoneEnabled) pending.push(participant.setMicrophoneEnabled(true));
    await Promise.all(pending);
  }

  /** @param {Room} lk */
  async unpublish(lk) {
    this.drop();
    const participant = lk.localParticipant;
    // LiveKit unpublishes a demoted guest's tracks itself; this also stops the devices.
    for (const publication of [...participant.trackPublications.values()]) {
      if (!publication.track) continue;
      try {
        await participant.unpublishTrack(publication.track, true);
      } catch (err) {
        warn("unpublishing a track failed", err);
        publication.track.stop();
      }
    }
  }

  /**
   * @param {Room} lk
   * @param {"camera" | "microphone"} source
   */
  async toggle(lk, source) {
    const participant = lk.localParticipant;
    if (source === "camera") await participant.setCameraEnabled(!participant.isCameraEnabled);
    else await participant.setMicrophoneEnabled(!participant.isMicrophoneEnabled);
  }

  /** @param {Room | null} lk the page's own publications that have a track */
  static published(lk) {
    if (!lk) return [];
    return [...lk.localParticipant.trackPublications.values()].filter((p) => p.track);
  }
}
