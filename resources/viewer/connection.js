// @ts-check
// The page's connection to the show: the join call (after waiting for the host), LiveKit's
// room, keeping its token fresh (token.js), rejoining after a lost session, and telling a show
// that ended from a LiveKit server that restarted. It writes the phase and notices to the store
// and tells the page (hooks) about what changes the stage, the chat or the drawing.

import {
  ConnectionError,
  ConnectionErrorReason,
  DisconnectReason,
  Room,
  RoomEvent,
} from "livekit-client";
import { RETRY_DELAYS_MS, requestToken, waitForHost } from "./join.js";
import { TOPIC, encodeMessage, isShowTopic } from "./messages.js";
import { withRole } from "./participants.js";
import { messageOf, sleep, warn } from "./report.js";
import { RECONNECTING } from "./status.js";
import { TokenRenewal } from "./token.js";

/** @typedef {import("livekit-client").RemoteParticipant} RemoteParticipant */
/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").Phase} Phase */

const ACTIVE_WAIT_MS = 5_000;
// livekit-server tells the others about a participant who publishes nothing in batches, every
// 3 s. Until then they cannot tell who sent a packet and drop it (senders are trusted only as
// LiveKit stamps them), so a packet sent in the first moments after joining waits this long.
const ANNOUNCE_MS = 3_500;

/**
 * @typedef {object} Hooks
 * @property {() => void} changed the room changed (participants, tracks, attributes)
 * @property {() => void} permissions the page's own permissions or attributes may have changed
 * @property {() => void} lost the session is gone (rejoining, or over): off the stage
 * @property {(payload: Uint8Array, from: RemoteParticipant) => void} data a show packet
 * @property {(metadata: string | undefined) => void} roomMetadata the room's metadata, as the
 *   server wrote it (the chat's settings)
 * @property {(identity: string) => void} left a participant left the room
 * @property {(identities: string[]) => void} speakers who is speaking now, loudest first
 * @property {(what: "unpublished" | "muted", publication: import("livekit-client").TrackPublication)
 *   => void} ownTrack one of the page's own tracks went (or was muted), by whoever's doing
 */

export class Connection {
  /** @param {Store} store @param {Hooks} hooks */
  constructor(store, hooks) {
    this.store = store;
    this.hooks = hooks;
    /** @type {Room | null} the connected room */
    this.room = null;
    /** @type {import("./join.js").Joined | null} */
    this.joined = null;
    this.generation = 0; // bumped per connection attempt; events of older rooms are ignored
    this.finished = false;
    /** @type {{sid: string, node: string} | null} the room we were last in, and its server */
    this.place = null;
    this.retries = 0;
    this.retryTimer = 0;
    /** @type {Promise<unknown>} settles once the others know who we are (see ANNOUNCE_MS) */
    this.announced = Promise.resolve();
    this.renewal = new TokenRenewal({
      current: () => this.joined,
      room: () => this.store.state.room,
      renewed: (joined) => {
        if (!this.finished) this.joined = joined;
      },
      refused: (message) => {
        if (!this.finished) this.finish("removed", message);
      },
    });
  }

  /** @type {(phase: Phase, text?: string, kind?: "info" | "warning" | "final") => void} */
  say = (phase, text = "", kind = "info") => {
    this.store.update({ phase, notice: { text, kind } });
  };

  /**
   * Waits for the host, gets a token and connects. Throws the server's ApiError when it
   * refuses the join itself (a bad name): the page goes back to its form.
   */
  async join() {
    const { room, name } = this.store.state;
    await waitForHost(room, this.say);
    this.joined = await requestToken(room, name, this.say);
    this.store.update({ identity: this.joined.identity });
    this.renewal.schedule();
    await this.connect();
  }

  async connect() {
    if (this.finished || !this.joined) return;
    const generation = ++this.generation;
    // The notice stays: "reconnecting" after a lost session says so until the room is back.
    this.store.update({ phase: this.store.state.hostSeen ? "reconnecting" : "connecting" });
    const lk = new Room({ adaptiveStream: true, dynacast: true });
    this.listen(lk, generation);
    let sid = "";
    try {
      await lk.connect(this.joined.wsUrl, this.joined.token);
      sid = await roomSid(lk);
    } catch (err) {
      if (generation !== this.generation) return;
      this.teardown(lk);
      if (err instanceof ConnectionError && err.reason === ConnectionErrorReason.NotAllowed) {
        // The token is no longer accepted (expired): ask for a new one.
        try {
          const { room, name } = this.store.state;
          this.joined = await requestToken(room, name, this.say);
          this.store.update({ identity: this.joined.identity });
          this.renewal.schedule();
        } catch (joinErr) {
          this.finish("failed", `Could not join the show: ${messageOf(joinErr)}`);
          return;
        }
      }
      warn("could not connect to LiveKit; retrying", err);
      const hostSeen = this.store.state.hostSeen;
      this.retryLater(
        hostSeen ? RECONNECTING : "Could not connect to the show — trying again…",
      );
      return;
    }
    if (generation !== this.generation) {
      this.teardown(lk);
      await lk.disconnect();
      return;
    }
    const last = this.place;
    const node = (lk.serverInfo && lk.serverInfo.nodeId) || "";
    this.place = { sid, node };
    this.room = lk;
    if (last && sid && node && sid !== last.sid && node === last.node) {
      // The same LiveKit server (node), but a new room of the show's name, made by this join:
      // the room we were in was closed while we were away (the host ended the show), and its
      // ROOM_DELETED was lost with the connection it was sent on (see onReconnected). A
      // restarted server, which forgets rooms that are not over, has a new node.
      this.finish("ended", "The show has ended");
      return;
    }
    this.retries = 0;
    const active = Promise.race([lk.localParticipant.waitUntilActive(), sleep(ACTIVE_WAIT_MS)]);
    this.announced = active.then(() => sleep(ANNOUNCE_MS));
    const hostSeen = this.store.state.hostSeen || this.hostPresent();
    this.store.update({ phase: "joined", resuming: false, hostSeen });
    this.hooks.roomMetadata(lk.metadata);
    this.hooks.permissions();
    this.hooks.changed();
  }

  /** @param {string} text */
  retryLater(text = RECONNECTING) {
    if (this.finished) return;
    this.say("reconnecting", text, "warning");
    const base = RETRY_DELAYS_MS[Math.min(this.retries, RETRY_DELAYS_MS.length - 1)];
    this.retries += 1;
    clearTimeout(this.retryTimer);
    // Jitter: after a LiveKit restart every viewer comes back, not all in the same instant.
    this.retryTimer = window.setTimeout(() => this.connect(), base * (0.75 + Math.random() * 0.5));
  }

  /**
   * A final phase: nothing reconnects any more.
   * @param {"ended" | "removed" | "failed"} phase
   * @param {string} text
   */
  finish(phase, text) {
    this.finished = true;
    this.generation += 1;
    clearTimeout(this.retryTimer);
    this.renewal.stop();
    const lk = this.room;
    this.room = null;
    if (lk) {
      this.teardown(lk);
      lk.disconnect().catch((err) => warn("disconnect failed", err));
    }
    this.say(phase, text, "final");
    this.hooks.lost();
  }

  /** After a lost session: joins again with the same token, in a while. */
  rejoinLater() {
    this.hooks.lost();
    this.retryLater();
  }

  /** The host is in the room now. */
  hostPresent() {
    return Boolean(this.room && withRole(this.room.remoteParticipants.values(), "host"));
  }

  /** @param {Room} lk @param {number} generation */
  listen(lk, generation) {
    /**
     * @template {unknown[]} A
     * @param {(...args: A) => void} handler
     * @returns {(...args: A) => void}
     */
    const current = (handler) => (...args) => {
      if (generation === this.generation && !this.finished) handler(...args);
    };
    const changed = current(() => {
      if (!this.store.state.hostSeen && this.hostPresent()) this.store.update({ hostSeen: true });
      this.hooks.changed();
    });
    /** @param {unknown} _ @param {import("livekit-client").Participant} participant */
    const mine = (_, participant) => {
      if (participant === lk.localParticipant) this.hooks.permissions();
      changed();
    };
    lk.on(RoomEvent.Disconnected, current((reason) => this.onDisconnected(lk, reason)))
      .on(RoomEvent.Reconnecting, current(() => this.store.update({ resuming: true })))
      .on(RoomEvent.Reconnected, current(() => this.onReconnected(lk, generation)))
      .on(RoomEvent.ParticipantConnected, changed)
      .on(
        RoomEvent.ParticipantDisconnected,
        current((participant) => {
          this.hooks.left(participant.identity);
          changed();
        }),
      )
      .on(RoomEvent.RoomMetadataChanged, current((metadata) => this.hooks.roomMetadata(metadata)))
      .on(RoomEvent.ParticipantMetadataChanged, current(mine))
      .on(RoomEvent.ParticipantPermissionsChanged, current(mine))
      .on(RoomEvent.ParticipantAttributesChanged, current(mine))
      .on(RoomEvent.TrackSubscribed, changed)
      .on(RoomEvent.TrackUnsubscribed, changed)
      .on(
        RoomEvent.TrackMuted,
        current((publication, participant) => {
          if (participant === lk.localParticipant) this.hooks.ownTrack("muted", publication);
          changed();
        }),
      )
      .on(RoomEvent.TrackUnmuted, changed)
      .on(RoomEvent.LocalTrackPublished, changed)
      .on(
        RoomEvent.LocalTrackUnpublished,
        current((publication) => {
          this.hooks.ownTrack("unpublished", publication);
          changed();
        }),
      )
      .on(RoomEvent.AudioPlaybackStatusChanged, changed)
      .on(
        RoomEvent.ActiveSpeakersChanged,
        current((speakers) => this.hooks.speakers(speakers.map((p) => p.identity))),
      )
      .on(
        RoomEvent.DataReceived,
        current((payload, participant, _kind, topic) => {
          // No participant: the server's own broadcasts, whose news arrives as metadata and
          // attributes anyway.
          if (isShowTopic(topic) && participant) this.hooks.data(payload, participant);
        }),
      );
  }

  /** @param {Room} lk @param {DisconnectReason | undefined} reason */
  onDisconnected(lk, reason) {
    this.teardown(lk);
    this.room = null;
    if (reason === DisconnectReason.ROOM_DELETED || reason === DisconnectReason.ROOM_CLOSED) {
      this.finish("ended", "The show has ended");
    } else if (reason === DisconnectReason.PARTICIPANT_REMOVED) {
      this.finish("removed", "You were removed from the show");
    } else if (reason === DisconnectReason.DUPLICATE_IDENTITY) {
      this.finish("failed", "You joined this show from another window");
    } else {
      // SERVER_SHUTDOWN, a lost connection, a failed resume: rejoin with the same token.
      // A restarted LiveKit server forgets roles and hands; the host app re-applies them.
      this.rejoinLater();
    }
  }

  /** @param {Room} lk @param {number} generation */
  async onReconnected(lk, generation) {
    const sid = await roomSid(lk);
    if (generation !== this.generation || this.finished) return;
    if (this.place && sid && sid !== this.place.sid) {
      // livekit-client joined again by itself, into a new room of the show's name: the room we
      // were in is gone. When the host ends the show, livekit-client can drop the connection
      // the server's ROOM_DELETED is on before reading it (the data channels close first) and
      // resume; the server answers that with a leave of STATE_MISMATCH, the same answer a
      // restarted LiveKit server gives, and livekit-client joins anew. Our own join tells the
      // two apart (connect): a restarted server is a new node.
      this.teardown(lk);
      this.room = null;
      lk.disconnect().catch((err) => warn("disconnect failed", err));
      this.rejoinLater();
      return;
    }
    this.store.update({ resuming: false });
    this.hooks.permissions();
    this.hooks.changed();
  }

  /** Lets go of what a room holds: listeners and our own devices (the drawing drops the rest). */
  teardown(/** @type {Room} */ lk) {
    lk.removeAllListeners();
    for (const publication of lk.localParticipant.trackPublications.values()) {
      if (publication.track) publication.track.stop();
    }
    this.hooks.changed();
  }

  /**
   * Sends a data message (to everyone, or to `to`), once the others can know who sent it.
   * Resolves to what names the message (moderation.js messageId): the identity LiveKit stamps
   * on it and its timestamp.
   * @param {string} type
   * @param {Record<string, unknown>} fields
   * @param {string[]} [to]
   * @returns {Promise<{identity: string, timestamp: number}>}
   */
  async send(type, fields, to) {
    const lk = this.room;
    if (!lk) throw new Error("Not connected to the show");
    await this.announced;
    if (this.room !== lk) throw new Error("The connection was lost; try again");
    const sender = { identity: lk.localParticipant.identity, name: this.store.state.name };
    const timestamp = Date.now();
    await lk.localParticipant.publishData(encodeMessage(type, sender, fields, timestamp), {
      reliable: true,
      topic: TOPIC,
      destinationIdentities: to || [],
    });
    return { identity: sender.identity, timestamp };
  }

  /** The host has talked to us (an invitation): it knows who we are, sending may start now. */
  knownToHost() {
    this.announced = Promise.resolve();
  }

  close() {
    if (this.room) this.room.disconnect();
  }
}

/** @param {Room} lk the room's id as the server issued it ("" once disconnected) */
async function roomSid(lk) {
  try {
    return await lk.getSid();
  } catch {
    return "";
  }
}
