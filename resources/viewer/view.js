// @ts-check
// `window.hostdeskViewer`: a read-only view of the page for tests and support, computed from the
// state and the room each time it is read.

import { Track } from "livekit-client";
import { Media } from "./media.js";
import { isChatMuted } from "./moderation.js";
import { handRaisedAt, queuePosition } from "./participants.js";
import { viewerCount } from "./render.js";
import { isOnStage } from "./stage.js";
import { status } from "./status.js";
import { tokenTimes } from "./token.js";

/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./connection.js").Connection} Connection */
/** @typedef {import("./backstage.js").Backstage} Backstage */

/** @param {Store} store @param {Connection} connection @param {Backstage} backstage */
export function exposeView(store, connection, backstage) {
  const room = () => connection.room;
  const remotes = () => {
    const lk = room();
    return lk ? [...lk.remoteParticipants.values()] : [];
  };
  const me = () => room()?.localParticipant ?? null;
  const onStage = () => isOnStage(store.state.stage);
  /** @type {Record<string, () => unknown>} */
  const getters = {
    state: () => status(store.state, connection.hostPresent()).shown,
    identity: () => store.state.identity,
    hostPresent: () => connection.hostPresent(),
    onStage,
    stage: () => store.state.stage.place,
    isPublishing: () => Media.published(room()).length > 0,
    publishedSources: () => Media.published(room()).map((p) => p.source),
    handRaised: () => {
      const mine = me();
      return Boolean(mine && handRaisedAt(mine) > 0);
    },
    queuePosition: () => {
      const mine = me();
      return mine ? queuePosition([mine, ...remotes()], mine.identity) : null;
    },
    viewerCount: () => viewerCount(remotes(), me(), onStage()),
    canPlaybackAudio: () => Boolean(room()?.canPlaybackAudio),
    chatMuted: () => {
      const mine = me();
      return Boolean(mine && isChatMuted(mine.attributes));
    },
    slowModeSeconds: () => store.state.chatSettings.slowModeS,
    chatWaitSeconds: () => store.state.chatWaitS,
    layout: () => store.state.layout,
    // Who LiveKit says is speaking now (the tiles ringed), and who spoke last (in focus).
    speaking: () => (room()?.activeSpeakers ?? []).map((p) => p.identity),
    lastSpeaker: () => store.state.lastSpeaker,
    // This page's stage clock while on stage ({elapsedS, remainingS, phase}), else null.
    stageClock: () => store.state.stageClock,
    stageLimitSeconds: () => store.state.stageLimitS,
    // Backstage: the backstage room's name while connected there, what the page publishes
    // there, and who else is in it (the host).
    backstageRoom: () => (backstage.room ? backstage.roomName || backstage.room.name : ""),
    backstageSources: () => backstage.publishedSources(),
    backstageOthers: () => backstage.remotes().map((p) => p.identity),
    // Everyone else in the show's room as this page knows them, with the sources of the tracks
    // it has of them (what a viewer could see or hear).
    participants: () =>
      remotes().map((p) => ({
        identity: p.identity,
        sources: [...p.trackPublications.values()].map((t) => t.source),
        tracks: [...p.trackPublications.values()].filter((t) => t.track).map((t) => t.source),
      })),
    // Whose screen share the stage shows ("" for none), and whether this page shares its own.
    shareShown: () => document.getElementById("stage")?.dataset.layout === "share"
      ? document.querySelector(".tile[data-role='share']")?.getAttribute("data-identity") || ""
      : "",
    sharing: () => {
      const mine = me()?.getTrackPublication(Track.Source.ScreenShare);
      return Boolean(mine && mine.track && !mine.isMuted);
    },
    stageNote: () => store.state.stageNote,
    // When the token the page holds now lapses (s since the epoch): it moves on at a renewal.
    tokenExpiresAt: () => (connection.joined ? tokenTimes(connection.joined.token).exp : 0),
  };
  /** @type {PropertyDescriptorMap} */
  const properties = {};
  for (const [name, get] of Object.entries(getters)) properties[name] = { get, enumerable: true };
  const view = Object.freeze(Object.defineProperties({}, properties));
  Object.defineProperty(window, "hostdeskViewer", { value: view, enumerable: true });
}
