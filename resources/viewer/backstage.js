// @ts-check
// The backstage: a second LiveKit room (`<show>~backstage`) only HostDesk mints tokens for. While
// the host has this viewer backstage (the server-written attribute `backstage`), the page asks
// for a token with its own show-room token, joins that room, and publishes its camera and
// microphone there, and only there: the audience, in the show's room, cannot see or hear it by
// any trick of theirs. The host's talkback plays from this room. The page's connection to the
// show's room goes on watching the show meanwhile.

import { Room, RoomEvent, Track } from "livekit-client";
import { ApiError, api, roomPath } from "./api.js";
import { messageOf, sleep, warn } from "./report.js";

/** @typedef {import("livekit-client").LocalTrack} LocalTrack */
/** @typedef {import("livekit-client").RemoteParticipant} RemoteParticipant */

/** The server may not have written the attribute everywhere yet: ask again this often. */
const TOKEN_RETRY_MS = [500, 1_000, 2_000];

/**
 * @typedef {object} BackstageHooks
 * @property {() => void} changed the backstage room changed (tracks, participants)
 * @property {(message: string) => void} failed the backstage could not be opened
 */

export class Backstage {
  /** @param {BackstageHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {Room | null} the backstage room, once connected */
    this.room = null;
    /** The backstage room's name, from the token's answer. */
    this.roomName = "";
    this.generation = 0; // bumped by open and close; work of an older one stops
  }

  /**
   * Joins the backstage room and publishes there.
   * @param {string} show the show's room
   * @param {() => string} token the page's show-room token (the newest)
   * @param {Promise<LocalTrack[]> | null} prepared camera and microphone opened on accepting
   */
  async open(show, token, prepared) {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    /** @type {LocalTrack[]} */
    let tracks = [];
    try {
      const answer = await askToken(show, token, current);
      if (!current()) return;
      const lk = new Room({ adaptiveStream: true, dynacast: true });
      for (const event of [
        RoomEvent.ParticipantConnected,
        RoomEvent.ParticipantDisconnected,
        RoomEvent.TrackSubscribed,
        RoomEvent.TrackUnsubscribed,
        RoomEvent.TrackMuted,
        RoomEvent.TrackUnmuted,
        RoomEvent.LocalTrackPublished,
        RoomEvent.LocalTrackUnpublished,
        RoomEvent.AudioPlaybackStatusChanged,
      ]) {
        lk.on(event, () => this.hooks.changed());
      }
      lk.on(RoomEvent.Disconnected, () => {
        if (this.room === lk) this.room = null;
        this.hooks.changed();
      });
      await lk.connect(answer.wsUrl, answer.token);
      if (!current()) {
        await lk.disconnect();
        return;
      }
      this.room = lk;
      this.roomName = answer.roomName;
      tracks = prepared ? await prepared : [];
      const live = tracks.filter((track) => track.mediaStreamTrack.readyState === "live");
      if (!current()) throw new Error("left backstage");
      await Promise.all(live.map((track) => lk.localParticipant.publishTrack(track)));
      const me = lk.localParticipant;
      /** @type {Promise<unknown>[]} */
      const pending = [];
      if (!me.isCameraEnabled) pending.push(me.setCameraEnabled(true));
      if (!me.isMicrophoneEnabled) pending.push(me.setMicrophoneEnabled(true));
      await Promise.all(pending);
      this.hooks.changed();
    } catch (err) {
      tracks.forEach((track) => track.stop());
      if (!current()) return;
      this.close();
      this.hooks.failed(`Could not go backstage: ${messageOf(err)}`);
    }
  }

  /** Leaves the backstage room and lets go of the camera and microphone published there. */
  close() {
    this.generation += 1;
    const lk = this.room;
    this.room = null;
    this.roomName = "";
    if (!lk) return;
    for (const publication of lk.localParticipant.trackPublications.values()) {
      if (publication.track) publication.track.stop();
    }
    lk.disconnect().catch((err) => warn("leaving backstage failed", err));
    this.hooks.changed();
  }

  /** The page's own camera in the backstage room (its preview), or null. */
  camera() {
    const publication = this.room?.localParticipant.getTrackPublication(Track.Source.Camera);
    return publication && publication.track && !publication.isMuted ? publication.track : null;
  }

  /** Who else is backstage with us (the host, for talkback). @returns {RemoteParticipant[]} */
  remotes() {
    return this.room ? [...this.room.remoteParticipants.values()] : [];
  }

  /** The sources the page publishes backstage. */
  publishedSources() {
    if (!this.room) return [];
    return [...this.room.localParticipant.trackPublications.values()]
      .filter((p) => p.track)
      .map((p) => p.source);
  }
}

/**
 * The backstage token, asked for with the page's show-room token.
 * @param {string} show
 * @param {() => string} token
 * @param {() => boolean} current
 * @returns {Promise<{token: string, wsUrl: string, roomName: string}>}
 */
async function askToken(show, token, current) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      const answer = await api("POST", `${roomPath(show)}/backstage/token`, undefined, token());
      const { token: minted, wsUrl, roomName } = answer;
      if (typeof minted !== "string" || typeof wsUrl !== "string" || !minted || !wsUrl) {
        throw new ApiError(500, "The server sent no backstage token");
      }
      return { token: minted, wsUrl, roomName: typeof roomName === "string" ? roomName : "" };
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      const retryable = status === 0 || status === 403 || status === 429 || status >= 500;
      if (!retryable || attempt >= TOKEN_RETRY_MS.length || !current()) throw err;
      await sleep(TOKEN_RETRY_MS[attempt]);
    }
  }
}
