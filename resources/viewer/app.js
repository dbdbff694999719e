// @ts-check
// The viewer page put together: the state, the connection, the stage machine and its effects,
// the hand, the chat, and the page's controls. Join a show through the host's HostDesk, watch,
// raise a hand, chat, and come on stage when the host invites.
//
// Trust: every decision about who sent a data message uses the participant LiveKit stamps on
// the packet and that participant's metadata (written by the server), never the JSON's
// senderId/senderName.

import { Backstage } from "./backstage.js";
import { Chat } from "./chat.js";
import { Connection } from "./connection.js";
import { Hand } from "./hand.js";
import { parseLayout } from "./layout.js";
import { Media } from "./media.js";
import { decodeMessage } from "./messages.js";
import { nameOf, onStageSince, roleOf } from "./participants.js";
import { Renderer, findElements } from "./render.js";
import { messageOf, warn } from "./report.js";
import { nameProblem, readRules } from "./rules.js";
import { HOST_STOPPED_SHARE, OwnShare } from "./share.js";
import { isOnStage, placeEvent, transition } from "./stage.js";
import { clock, serverAheadMs, stageTimeLimit } from "./stageclock.js";
import { Store, initialState } from "./store.js";
import { exposeView } from "./view.js";

/** @typedef {import("./stage.js").StageEvent} StageEvent */
/** @typedef {import("./stage.js").Effect} Effect */
/** @typedef {import("livekit-client").RemoteParticipant} RemoteParticipant */

const NAME_KEY = "hostdesk.viewerName";
const LAYOUT_KEY = "hostdesk.stageLayout";
/** How long after a share stopped by someone else the page looks whether it is still on stage
 * (a demotion, which also unpublishes the share, says nothing of the share). */
const SHARE_STOP_SETTLE_MS = 400;
const SENT_BACK = "The host sent you back to the audience";
/** How often the stage clock is read again (it shows whole seconds). */
const CLOCK_TICK_MS = 250;

const rules = readRules(document);
const ui = findElements();
const renderer = new Renderer(ui, rules);
const store = new Store(initialState(), (state) =>
  renderer.draw(state, connection.room, backstage),
);
const media = new Media(() => dispatch({ type: "joinLapsed" }));
const backstage = new Backstage({
  changed: () => store.redraw(),
  failed: (message) => store.setErrors({ action: message }),
});
const share = new OwnShare();
/** The host sent us back or took us live: the page reads where it is once the update is in. */
let placePending = false;
const connection = new Connection(store, {
  changed: () => {
    hand.settle();
    chat.tick(); // our role or chat mute may have changed
    tickClock(); // or when we went on stage
    store.redraw();
  },
  permissions: () => {
    // A take live changes the permissions and clears `backstage` in one update, whose fields
    // livekit-client announces one by one: read them when all are in.
    if (placePending) return;
    placePending = true;
    queueMicrotask(() => {
      placePending = false;
      const lk = connection.room;
      if (!lk) return;
      const me = lk.localParticipant;
      const canPublish = Boolean(me.permissions?.canPublish);
      const event = placeEvent(store.state.stage, canPublish, me.attributes);
      if (event) dispatch(event);
    });
  },
  ownTrack: (what, publication) => {
    const lk = connection.room;
    if (!lk || !share.stoppedByHost(publication)) return;
    share.stopping = true; // one notice, and a muted share is let go here
    if (what === "muted") {
      share.stop(lk).catch((err) => warn("could not stop the screen share", err));
    }
    // A demotion unpublishes everything too: that is no stopped share to speak of.
    window.setTimeout(() => {
      if (isOnStage(store.state.stage)) store.update({ stageNote: HOST_STOPPED_SHARE });
    }, SHARE_STOP_SETTLE_MS);
  },
  lost: () => dispatch({ type: "sessionLost" }),
  data: onData,
  roomMetadata: (metadata) => {
    chat.settingsChanged(metadata);
    const stageLimitS = stageTimeLimit(metadata);
    if (stageLimitS !== store.state.stageLimitS) store.update({ stageLimitS });
    tickClock();
  },
  left: (identity) => chat.left(identity),
  speakers: (identities) => {
    // Only stage members publish sound, so whoever speaks is on stage; when all fall silent
    // the focus stays with the last one.
    const loudest = identities[0] || store.state.lastSpeaker;
    if (loudest !== store.state.lastSpeaker) store.update({ lastSpeaker: loudest });
    else store.redraw();
  },
});
const hand = new Hand(store, connection);
const chat = new Chat(store, rules, () => connection.room?.localParticipant ?? null);
let inviteTimer = 0;

// -- the stage ---------------------------------------------------------------------------------

/** @param {StageEvent} event */
function dispatch(event) {
  const before = store.state.stage;
  const { stage, effects } = transition(before, event);
  if (stage !== before) store.update({ stage });
  for (const effect of effects) carryOut(effect, before);
  tickClock();
}

/**
 * @param {Effect} effect
 * @param {import("./stage.js").Stage} before the stage the transition left
 */
function carryOut(effect, before) {
  const lk = connection.room;
  switch (effect) {
    case "startInviteTimer": {
      clearTimeout(inviteTimer);
      const expire = () => dispatch({ type: "inviteExpired" });
      inviteTimer = window.setTimeout(expire, rules.inviteTimeoutMs);
      store.setErrors({ action: "" });
      break;
    }
    case "stopInviteTimer":
      clearTimeout(inviteTimer);
      break;
    case "expiredNotice":
      store.setErrors({ action: "The invitation expired" });
      break;
    case "answerYes":
    case "answerNo":
      if (before.place === "invited") answer(before.host, effect === "answerYes");
      break;
    case "prepareMedia":
      media.prepare();
      break;
    case "dropMedia":
      media.drop();
      break;
    case "publish":
    case "unpublish":
      if (effect === "publish") store.update({ stageNote: "" });
      if (lk) stageStep(lk, effect);
      break;
    case "openBackstage": {
      store.update({ stageNote: "" });
      const prepared = media.take();
      const token = () => (connection.joined ? connection.joined.token : "");
      backstage.open(store.state.room, token, prepared);
      break;
    }
    case "closeBackstage":
      backstage.close();
      break;
    case "sentBackNotice":
      store.update({ stageNote: SENT_BACK });
      break;
  }
}

/**
 * @param {import("livekit-client").Room} lk
 * @param {"publish" | "unpublish"} step
 */
function stageStep(lk, step) {
  const wanted = () => lk === connection.room && isOnStage(store.state.stage);
  const run = step === "publish" ? () => media.publish(lk, wanted) : () => media.unpublish(lk);
  media.ops = media.ops
    .then(run)
    .then(() => store.setErrors({ action: "" }))
    .catch((err) => store.setErrors({ action: `Camera or microphone: ${messageOf(err)}` }));
}

/** @param {string} host @param {boolean} accepted */
async function answer(host, accepted) {
  try {
    await connection.send("guest_invite_response", { accepted }, [host]);
  } catch (err) {
    dispatch({ type: "answerFailed" });
    store.setErrors({ action: `Could not answer the invitation: ${messageOf(err)}` });
  }
}

// -- the stage clock --------------------------------------------------------------------------

/** How far the server's clock is ahead of ours, read from the token we hold (one at a time). */
let ahead = { token: "", ms: 0 };

/** Reads this page's stage clock again; the state changes only when what it shows does. */
function tickClock() {
  const lk = connection.room;
  const joined = connection.joined;
  const onStage = lk && joined && isOnStage(store.state.stage);
  const since = onStage ? onStageSince(lk.localParticipant.attributes) : null;
  /** @type {import("./stageclock.js").StageClock | null} */
  let next = null;
  if (since !== null && joined) {
    if (ahead.token !== joined.token) {
      ahead = { token: joined.token, ms: serverAheadMs(joined.token, joined.receivedAt) };
    }
    next = clock(since, store.state.stageLimitS, Date.now() + ahead.ms, rules.stageWarningSeconds);
  }
  const shown = store.state.stageClock;
  const same =
    shown === next ||
    (shown !== null &&
      next !== null &&
      shown.phase === next.phase &&
      shown.elapsedS === next.elapsedS &&
      shown.remainingS === next.remainingS);
  if (!same) store.update({ stageClock: next });
}

// -- data messages -----------------------------------------------------------------------------

/** @param {Uint8Array} payload @param {RemoteParticipant} participant */
function onData(payload, participant) {
  const decoded = decodeMessage(payload);
  if ("dropped" in decoded) {
    warn(decoded.dropped);
    return;
  }
  const message = decoded.message;
  const me = connection.room ? connection.room.localParticipant.identity : "";
  switch (message.type) {
    case "guest_invite":
      if (roleOf(participant) !== "host") {
        warn(`ignored an invitation from ${participant.identity}: not the host`);
      } else if (message.targetParticipantId && message.targetParticipantId !== me) {
        warn("ignored an invitation meant for someone else");
      } else {
        connection.knownToHost();
        dispatch({ type: "invited", host: participant.identity, hostName: nameOf(participant) });
      }
      break;
    case "chat_message": {
      const dropped = chat.receive(participant, message, performance.now());
      if (dropped) warn(dropped);
      break;
    }
    default:
      // hand_raise / hand_lower / guest_*: the queue and the stage follow LiveKit's
      // attributes and metadata, which only the server can write.
      break;
  }
}

// -- joining -----------------------------------------------------------------------------------

function readRoomFromPath() {
  const prefix = "/watch/";
  if (!location.pathname.startsWith(prefix)) return "";
  try {
    return decodeURIComponent(location.pathname.slice(prefix.length)).trim();
  } catch {
    return "";
  }
}

/** @param {SubmitEvent} event */
async function onJoinSubmit(event) {
  event.preventDefault();
  const { fixedRoom } = store.state;
  const room = fixedRoom || ui.roomInput.value.trim();
  const name = ui.nameInput.value.trim();
  const problem =
    nameProblem("The show name", room, rules) || nameProblem("Your name", name, rules);
  store.setErrors({ join: problem });
  if (problem) return;
  remember(name);
  if (!fixedRoom) {
    // A reload (or a shared link) comes back to the same show.
    history.replaceState(null, "", `/watch/${encodeURIComponent(room)}`);
  }
  store.update({ room, name, showing: true, joining: true });
  try {
    await connection.join();
  } catch (err) {
    // The server refused the join itself (a bad name): back to the form.
    const notice = { text: "", kind: /** @type {const} */ ("info") };
    store.update({ showing: false, joining: false, phase: "idle", notice });
    store.setErrors({ join: messageOf(err) });
    return;
  }
  store.update({ joining: false });
}

/** @param {string} name */
function remember(name) {
  keep(NAME_KEY, name, "your name");
}

/**
 * @param {string} key
 * @param {string} value
 * @param {string} what
 */
function keep(key, value, what) {
  try {
    localStorage.setItem(key, value);
  } catch (err) {
    warn(`could not remember ${what}`, err);
  }
}

/** @param {string} key */
function kept(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** @param {import("./layout.js").Layout} layout */
function chooseLayout(layout) {
  keep(LAYOUT_KEY, layout, "the stage layout");
  store.update({ layout });
}

// -- controls ----------------------------------------------------------------------------------

/** @param {"camera" | "microphone"} source */
async function toggle(source) {
  const lk = connection.room;
  if (!lk || !isOnStage(store.state.stage)) return;
  try {
    await media.toggle(lk, source);
  } catch (err) {
    store.setErrors({ action: `Could not switch the ${source}: ${messageOf(err)}` });
  }
  store.redraw();
}

async function toggleShare() {
  const lk = connection.room;
  if (!lk || !isOnStage(store.state.stage)) return;
  try {
    if (OwnShare.sharing(lk)) await share.stop(lk);
    else {
      store.update({ stageNote: "" });
      await share.start(lk);
    }
  } catch (err) {
    // Cancelled in the browser's picker: nothing to say.
    if (!(err instanceof DOMException && err.name === "NotAllowedError")) {
      store.setErrors({ action: `Could not share the screen: ${messageOf(err)}` });
    }
  }
  store.redraw();
}

/** @param {SubmitEvent} event */
async function onChatSubmit(event) {
  event.preventDefault();
  const text = ui.chatInput.value.trim();
  if (!text) return;
  const send = (/** @type {string} */ line) => connection.send("chat_message", { message: line });
  const shown = chat.send(text, send);
  if (!store.state.errors.chat) ui.chatInput.value = "";
  if (!(await shown) && !ui.chatInput.value) ui.chatInput.value = text;
}

// -- wiring ------------------------------------------------------------------------------------

ui.joinForm.addEventListener("submit", onJoinSubmit);
ui.handButton.addEventListener("click", () => hand.toggle());
ui.micButton.addEventListener("click", () => toggle("microphone"));
ui.cameraButton.addEventListener("click", () => toggle("camera"));
ui.shareButton.addEventListener("click", toggleShare);
ui.soundButton.addEventListener("click", () => {
  const lk = connection.room;
  if (lk) lk.startAudio().then(() => store.redraw(), (err) => warn("could not start audio", err));
});
ui.chatForm.addEventListener("submit", onChatSubmit);
ui.layoutGrid.addEventListener("click", () => chooseLayout("grid"));
ui.layoutFocus.addEventListener("click", () => chooseLayout("focus"));
// The stage fills the space it has: lay it out again when that changes (in the next frame: a
// layout inside the observer's callback that resized the stage again would loop).
new ResizeObserver(() => requestAnimationFrame(() => store.redraw())).observe(ui.stage);
window.addEventListener("resize", () => store.redraw());
window.setInterval(tickClock, CLOCK_TICK_MS);
ui.inviteAccept.addEventListener("click", () => dispatch({ type: "accept" }));
ui.inviteDecline.addEventListener("click", () => dispatch({ type: "decline" }));
ui.inviteDialog.addEventListener("cancel", (event) => {
  event.preventDefault(); // Escape declines, so the host is not left waiting
  dispatch({ type: "decline" });
});
window.addEventListener("pagehide", () => {
  backstage.close();
  connection.close();
});
exposeView(store, connection, backstage);

const fixedRoom = readRoomFromPath();
ui.nameInput.value = kept(NAME_KEY) || "";
store.update({ fixedRoom, layout: parseLayout(kept(LAYOUT_KEY)) });
renderer.draw(store.state, null);
if (!fixedRoom) ui.roomInput.focus();
else if (!ui.nameInput.value) ui.nameInput.focus();
else ui.joinButton.focus();
