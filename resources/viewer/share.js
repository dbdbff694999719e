// @ts-check
// A guest's own screen share: `getDisplayMedia` (through livekit-client) published as the
// ScreenShare source in the show's room, stopped by the guest, by the browser's own "Stop
// sharing", or by the host (the server unpublishes or mutes the track). When the host stopped
// it, the capture stops here too and the page says so.

import { Track } from "livekit-client";

/** @typedef {import("livekit-client").Room} Room */
/** @typedef {import("livekit-client").TrackPublication} TrackPublication */

export const HOST_STOPPED_SHARE = "The host stopped your screen share";

export class OwnShare {
  constructor() {
    /** The guest asked to stop (or the share is being let go with the stage). */
    this.stopping = false;
    /** The capture ended by itself (the browser's "Stop sharing"). */
    this.endedBySource = false;
  }

  /** @param {Room} lk */
  async start(lk) {
    this.stopping = false;
    this.endedBySource = false;
    const publication = await lk.localParticipant.setScreenShareEnabled(true, { audio: false });
    const track = publication?.track?.mediaStreamTrack;
    // "ended" fires only when the source ends the capture, never for our own stop().
    track?.addEventListener("ended", () => {
      this.endedBySource = true;
    });
  }

  /** @param {Room} lk */
  async stop(lk) {
    this.stopping = true;
    await lk.localParticipant.setScreenShareEnabled(false);
  }

  /** @param {Room | null} lk whether this page shares its screen now */
  static sharing(lk) {
    const publication = lk?.localParticipant.getTrackPublication(Track.Source.ScreenShare);
    return Boolean(publication && publication.track && !publication.isMuted);
  }

  /**
   * Whether the share's track went (unpublished or muted) without this page asking: the host
   * stopped it.
   * @param {TrackPublication} publication
   */
  stoppedByHost(publication) {
    return (
      publication.source === Track.Source.ScreenShare && !this.stopping && !this.endedBySource
    );
  }
}
