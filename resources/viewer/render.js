// @ts-check
// Draws the page from the state and the room (LiveKit's own state of who is there and what
// they publish). It changes neither: what it keeps is only which track each element shows.

import { chatNotice } from "./chat.js";
import { drawHand } from "./hand.js";
import { focusIndex } from "./layout.js";
import { countRole, nameOf, roleOf, stageOrder, withRole } from "./participants.js";
import { clockFace, clockNotice } from "./stageclock.js";
import { STATE_TEXT, status } from "./status.js";
import { OwnShare } from "./share.js";
import { StageTiles } from "./tiles.js";

/** @typedef {import("livekit-client").Room} Room */
/** @typedef {import("livekit-client").Participant} Participant */
/** @typedef {import("livekit-client").Track} AnyTrack */
/** @typedef {import("./store.js").PageState} PageState */
/** @typedef {import("./tiles.js").Member} Member */
/** @typedef {import("./backstage.js").Backstage} Backstage */

/** The stage is never squeezed below this height (a phone held sideways scrolls instead). */
const MIN_STAGE_HEIGHT = 180;
/** Below the stage, beside the controls: the gap to them and the page's padding. */
const STAGE_MARGIN_BELOW = 28;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{new (): T, prototype: T}} type
 * @returns {T}
 */
function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id}`);
  return node;
}

const element = (/** @type {string} */ id) => byId(id, HTMLElement);
const button = (/** @type {string} */ id) => byId(id, HTMLButtonElement);
const input = (/** @type {string} */ id) => byId(id, HTMLInputElement);

/** The page's elements, found once. */
export function findElements() {
  /** @param {string} role */
  const tile = (role) => ({
    box: element(`${role}-tile`),
    video: byId(`${role}-video`, HTMLVideoElement),
    name: element(`${role}-name`),
    placeholder: element(`${role}-placeholder`),
  });
  return {
    state: element("state"),
    showTitle: element("show-title"),
    viewerCount: element("viewer-count"),
    join: element("join"),
    joinForm: byId("join-form", HTMLFormElement),
    roomFixed: element("room-fixed"),
    roomField: element("room-field"),
    roomInput: input("room-input"),
    nameInput: input("name-input"),
    joinButton: button("join-button"),
    joinError: element("join-error"),
    show: element("show"),
    notice: element("notice"),
    stageClock: element("stage-clock"),
    stageClockText: element("stage-clock-text"),
    stageClockLeft: element("stage-clock-left"),
    onStageTime: element("on-stage-time"),
    stage: element("stage"),
    controls: element("controls"),
    layoutSwitch: element("layout-switch"),
    layoutGrid: button("layout-grid"),
    layoutFocus: button("layout-focus"),
    soundButton: button("sound-button"),
    handBox: element("hand-box"),
    handButton: button("hand-button"),
    questionInput: input("question-input"),
    myQuestion: element("my-question"),
    queue: element("queue"),
    stageBox: element("stage-box"),
    micButton: button("mic-button"),
    cameraButton: button("camera-button"),
    shareButton: button("share-button"),
    stageNote: element("stage-note"),
    backstageBox: element("backstage-box"),
    backstagePreview: byId("backstage-preview", HTMLVideoElement),
    actionError: element("action-error"),
    chatList: element("chat-list"),
    chatForm: byId("chat-form", HTMLFormElement),
    chatInput: input("chat-input"),
    chatSend: button("chat-send"),
    chatStatus: element("chat-status"),
    chatError: element("chat-error"),
    audioSink: element("audio-sink"),
    inviteDialog: byId("invite-dialog", HTMLDialogElement),
    inviteText: element("invite-text"),
    inviteAccept: button("invite-accept"),
    inviteDecline: button("invite-decline"),
    hostTile: tile("host"),
  };
}

/** @typedef {ReturnType<typeof findElements>} Elements */

/** @param {HTMLElement} node @param {string} text */
function showText(node, text) {
  if (node.textContent !== text) node.textContent = text;
  node.hidden = !text;
}

export class Renderer {
  /** @param {Elements} ui @param {import("./rules.js").ShowRules} rules */
  constructor(ui, rules) {
    this.ui = ui;
    this.rules = rules;
    this.tiles = new StageTiles(ui.stage, ui.hostTile);
    /** The element of each remote audio track playing. @type {Map<AnyTrack, HTMLMediaElement>} */
    this.sounds = new Map();
    /** The list item of each chat line on screen, by line id. @type {Map<number, HTMLElement>} */
    this.lines = new Map();
    /** The track the backstage preview shows. @type {AnyTrack | null} */
    this.preview = null;
  }

  /**
   * @param {Readonly<PageState>} state
   * @param {Room | null} lk
   * @param {Backstage | null} [backstage]
   */
  draw(state, lk, backstage = null) {
    const ui = this.ui;
    const connected = Boolean(lk) && state.phase === "joined";
    const room = connected ? lk : null;
    const remotes = room ? [...room.remoteParticipants.values()] : [];
    const host = withRole(remotes, "host");
    const onStage = state.stage.place === "onStage";
    const me = room ? room.localParticipant : null;

    ui.join.hidden = state.showing;
    ui.show.hidden = !state.showing;
    ui.roomField.hidden = Boolean(state.fixedRoom);
    ui.roomFixed.hidden = !state.fixedRoom;
    if (state.fixedRoom && ui.roomFixed.textContent !== `Show: ${state.fixedRoom}`) {
      const strong = document.createElement("strong");
      strong.textContent = state.fixedRoom;
      ui.roomFixed.replaceChildren("Show: ", strong);
    }
    ui.showTitle.textContent = state.showing ? state.room : state.fixedRoom;
    ui.joinButton.disabled = state.joining || state.broken;
    showText(ui.joinError, state.errors.join);

    const { shown, notice } = status(state, Boolean(host));
    ui.state.dataset.state = shown;
    ui.state.textContent = STATE_TEXT[shown];
    showText(ui.notice, notice.text);
    ui.notice.dataset.kind = notice.kind;

    /** @type {Participant[]} */
    const guests = remotes.filter((p) => roleOf(p) === "guest");
    if (onStage && me) guests.push(me);
    guests.sort(stageOrder);
    /** @type {Member[]} */
    const guestTiles = guests.map((guest) => ({
      identity: guest.identity,
      participant: guest,
      name: guest === me ? `${state.name} (you)` : nameOf(guest),
      local: guest === me,
    }));
    const hostName = host ? nameOf(host) : "Host";
    this.tiles.members(
      { identity: host ? host.identity : "", participant: host, name: hostName, local: false },
      guestTiles,
    );
    ui.hostTile.placeholder.textContent = host ? "Camera off" : "Waiting for the host";
    ui.stage.hidden = !connected;
    const behind = backstage && state.stage.place === "backstage" ? backstage : null;
    this.audio([...remotes, ...(behind ? behind.remotes() : [])]);
    this.backstage(connected ? behind : null);

    ui.viewerCount.hidden = !connected;
    const count = viewerCount(remotes, me, onStage);
    ui.viewerCount.textContent = `${count} viewer${count === 1 ? "" : "s"}`;
    ui.soundButton.hidden = !room || room.canPlaybackAudio;

    ui.handBox.hidden = !connected || onStage || state.stage.place === "backstage";
    drawHand(ui, state, me, remotes, Boolean(host));

    ui.stageBox.hidden = !(connected && onStage);
    if (me && onStage) {
      ui.micButton.textContent = me.isMicrophoneEnabled ? "Mute mic" : "Unmute mic";
      ui.micButton.setAttribute("aria-pressed", String(me.isMicrophoneEnabled));
      ui.cameraButton.textContent = me.isCameraEnabled ? "Turn camera off" : "Turn camera on";
      ui.cameraButton.setAttribute("aria-pressed", String(me.isCameraEnabled));
      const sharing = OwnShare.sharing(room);
      ui.shareButton.textContent = sharing ? "Stop sharing" : "Share screen";
      ui.shareButton.setAttribute("aria-pressed", String(sharing));
      ui.shareButton.hidden = !navigator.mediaDevices?.getDisplayMedia;
    }
    showText(ui.stageNote, connected ? state.stageNote : "");
    showText(ui.actionError, state.errors.action);
    this.stageClock(connected && onStage ? state.stageClock : null, state.stageLimitS);

    this.chat(state);
    const mine = chatNotice(state, me);
    ui.chatInput.disabled = !mine.canType;
    ui.chatSend.disabled = !mine.canSend;
    if (ui.chatSend.textContent !== mine.send) ui.chatSend.textContent = mine.send;
    showText(ui.chatStatus, mine.text);
    ui.chatStatus.dataset.kind = mine.kind;
    showText(ui.chatError, state.errors.chat);

    this.invitation(state);
    if (connected) this.stageLayout(state, host ? host.identity : "", guestTiles, room);
  }

  /**
   * Lays the stage out (last: what is above and below it has its size by now), and shows the
   * layout switch while there is more than one tile.
   * @param {Readonly<PageState>} state
   * @param {string} host the host's identity ("" while there is none)
   * @param {Member[]} guests
   * @param {Room | null} room
   */
  stageLayout(state, host, guests, room) {
    const ui = this.ui;
    const order = [host, ...guests.map((guest) => guest.identity)];
    ui.layoutSwitch.hidden = order.length < 2;
    ui.layoutGrid.setAttribute("aria-pressed", String(state.layout === "grid"));
    ui.layoutFocus.setAttribute("aria-pressed", String(state.layout === "focus"));
    const speaking = new Set(room ? room.activeSpeakers.map((p) => p.identity) : []);
    const top = ui.stage.getBoundingClientRect().top + window.scrollY;
    const below = ui.controls.offsetHeight + STAGE_MARGIN_BELOW;
    const box = {
      width: ui.stage.clientWidth,
      height: Math.max(MIN_STAGE_HEIGHT, window.innerHeight - top - below),
    };
    const focus = focusIndex(order, state.lastSpeaker);
    this.tiles.place(order, { layout: state.layout, focus, speaking, box });
  }

  /**
   * The guest's own clock: the time on stage beside "You are on stage", and a banner when a
   * minute is left (with the seconds counting down) and when the time is up.
   * @param {import("./stageclock.js").StageClock | null} clock
   * @param {number} limitS
   */
  stageClock(clock, limitS) {
    const ui = this.ui;
    const elapsed = clock ? clockFace(clock.elapsedS) : "";
    showText(ui.onStageTime, elapsed && limitS ? `${elapsed} of ${clockFace(limitS)}` : elapsed);
    const text = clockNotice(clock, this.rules.stageWarningSeconds);
    ui.stageClock.hidden = !text;
    ui.stageClock.dataset.phase = clock ? clock.phase : "";
    if (ui.stageClockText.textContent !== text) ui.stageClockText.textContent = text;
    const counting = clock && clock.phase === "warning" && clock.remainingS;
    const left = counting ? ` · ${clockFace(counting)}` : "";
    if (ui.stageClockLeft.textContent !== left) ui.stageClockLeft.textContent = left;
  }

  /**
   * Backstage: says so, with the page's own camera as the host sees it.
   * @param {Backstage | null} backstage
   */
  backstage(backstage) {
    this.ui.backstageBox.hidden = !backstage;
    const track = backstage ? backstage.camera() : null;
    if (track === this.preview) return;
    if (this.preview) this.preview.detach(this.ui.backstagePreview);
    if (track) track.attach(this.ui.backstagePreview);
    else this.ui.backstagePreview.srcObject = null;
    this.preview = track;
  }

  /** Plays every remote audio track, and only those. @param {Participant[]} remotes */
  audio(remotes) {
    const playing = new Set();
    for (const participant of remotes) {
      for (const publication of participant.audioTrackPublications.values()) {
        if (publication.track) playing.add(publication.track);
      }
    }
    for (const [track, node] of this.sounds) {
      if (playing.has(track)) continue;
      track.detach(node);
      node.remove();
      this.sounds.delete(track);
    }
    for (const track of playing) {
      if (this.sounds.has(track)) continue;
      const node = track.attach();
      this.ui.audioSink.append(node);
      this.sounds.set(track, node);
    }
  }

  /** @param {Readonly<PageState>} state */
  chat(state) {
    const list = this.ui.chatList;
    const ids = new Set(state.chat.map((line) => line.id));
    for (const [id, node] of this.lines) {
      if (ids.has(id)) continue;
      node.remove();
      this.lines.delete(id);
    }
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    let ownAdded = false;
    for (const line of state.chat) {
      if (this.lines.has(line.id)) continue;
      list.append(this.chatLine(line));
      ownAdded ||= line.own;
    }
    if (atBottom || ownAdded) list.scrollTop = list.scrollHeight;
  }

  /** @param {import("./store.js").ChatLine} line */
  chatLine(line) {
    // Text from others is only ever shown with textContent.
    const item = document.createElement("li");
    item.className = "chat-line";
    item.classList.toggle("host", line.host);
    item.classList.toggle("own", line.own);
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = line.who;
    item.append(who);
    if (line.host) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "Host";
      item.append(badge);
    }
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = line.text;
    item.append(text);
    this.lines.set(line.id, item);
    return item;
  }

  /** @param {Readonly<PageState>} state */
  invitation(state) {
    const dialog = this.ui.inviteDialog;
    if (state.stage.place !== "invited") {
      if (dialog.open) dialog.close();
      return;
    }
    this.ui.inviteText.textContent = `${state.stage.hostName} invites you on stage`;
    if (!dialog.open) {
      dialog.showModal();
      this.ui.inviteAccept.focus();
    }
  }
}

/**
 * Viewers watching: the others, and this page while it is a viewer off the stage.
 * @param {Participant[]} remotes
 * @param {Participant | null} me
 * @param {boolean} onStage
 */
export function viewerCount(remotes, me, onStage) {
  const mine = me && !onStage && countRole([me], "viewer") ? 1 : 0;
  return countRole(remotes, "viewer") + mine;
}
