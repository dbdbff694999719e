// HostDesk viewer page: join a show through the host's HostDesk, watch, raise a hand, chat,
// and come on stage when the host invites. Plain script, no build step; livekit-client is the
// UMD bundle the server serves at /vendor/livekit-client.js (global `LivekitClient`).
//
// Trust: every decision about who sent a data message uses the participant LiveKit stamps on
// the packet and that participant's metadata (written by the server), never the JSON's
// senderId/senderName. Text from others is only ever shown with textContent.
"use strict";

(() => {
  const LK = window.LivekitClient;
  const TOPIC = "hostdesk";
  const MAX_CHAT = 1000;
  const MAX_NAME = 128;
  const CHAT_KEEP = 300;
  const INVITE_TIMEOUT_MS = 60_000;
  const PREPARED_TRACKS_TTL_MS = 15_000;
  const POLL_MS = 2_000;
  const ACTIVE_WAIT_MS = 5_000;
  // livekit-server tells the others about a participant who publishes nothing in batches, every
  // 3 s. Until then they cannot tell who sent a packet and drop it (senders are trusted only as
  // LiveKit stamps them), so a packet sent in the first moments after joining waits this long.
  const ANNOUNCE_MS = 3_500;
  const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];
  const NAME_KEY = "hostdesk.viewerName";
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const el = (id) => document.getElementById(id);
  const ui = {
    state: el("state"),
    showTitle: el("show-title"),
    viewerCount: el("viewer-count"),
    join: el("join"),
    joinForm: el("join-form"),
    roomFixed: el("room-fixed"),
    roomField: el("room-field"),
    roomInput: el("room-input"),
    nameInput: el("name-input"),
    joinButton: el("join-button"),
    joinError: el("join-error"),
    show: el("show"),
    notice: el("notice"),
    stage: el("stage"),
    soundButton: el("sound-button"),
    handBox: el("hand-box"),
    handButton: el("hand-button"),
    queue: el("queue"),
    stageBox: el("stage-box"),
    micButton: el("mic-button"),
    cameraButton: el("camera-button"),
    actionError: el("action-error"),
    chatList: el("chat-list"),
    chatForm: el("chat-form"),
    chatInput: el("chat-input"),
    chatSend: el("chat-send"),
    chatError: el("chat-error"),
    audioSink: el("audio-sink"),
    inviteDialog: el("invite-dialog"),
    inviteText: el("invite-text"),
    inviteAccept: el("invite-accept"),
    inviteDecline: el("invite-decline"),
  };
  const tiles = {
    host: {
      box: el("host-tile"),
      video: el("host-video"),
      name: el("host-name"),
      placeholder: el("host-placeholder"),
      track: null,
    },
    guest: {
      box: el("guest-tile"),
      video: el("guest-video"),
      name: el("guest-name"),
      placeholder: el("guest-placeholder"),
      track: null,
    },
  };

  const STATE_TEXT = {
    idle: "Not joined",
    waiting: "Waiting for the host",
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    ended: "Ended",
    removed: "Removed",
    failed: "Disconnected",
  };

  const app = {
    fixedRoom: "",
    room: "",
    name: "",
    joined: null, // {token, wsUrl, identity} from POST /api/rooms/join
    lk: null, // the connected LivekitClient.Room
    generation: 0, // bumped per connection attempt; events of older rooms are ignored
    state: "idle",
    finished: false,
    hostSeen: false,
    resuming: false, // livekit-client is resuming the connection by itself
    place: null, // {sid, node}: the room we were last in, and the LiveKit server (node) holding it
    retries: 0,
    retryTimer: 0,
    handRaised: false,
    handBusy: false,
    onStage: false,
    stageOps: Promise.resolve(),
    announced: Promise.resolve(), // settles once the others know who we are (see ANNOUNCE_MS)
    invite: null, // {host: identity, timer}
    prepared: null, // {tracks: Promise<LocalTrack[]>, timer}
  };

  // -- small helpers -------------------------------------------------------------------------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const codePoints = (text) => [...text].length;

  function metadataOf(participant) {
    try {
      const data = JSON.parse(participant.metadata || "{}");
      return data && typeof data === "object" ? data : {};
    } catch {
      return {};
    }
  }

  function roleOf(participant) {
    const role = metadataOf(participant).role;
    return typeof role === "string" ? role : "";
  }

  function nameOf(participant) {
    const name = metadataOf(participant).displayName;
    if (typeof name === "string" && name) return name;
    return participant.name || participant.identity;
  }

  function handOf(participant) {
    const stamp = Number.parseInt((participant.attributes || {}).handRaisedAt || "", 10);
    return Number.isFinite(stamp) && stamp > 0 ? stamp : 0;
  }

  function ordinal(n) {
    const tens = n % 100;
    if (tens >= 11 && tens <= 13) return `${n}th`;
    return n + ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
  }

  function remotes() {
    return app.lk ? [...app.lk.remoteParticipants.values()] : [];
  }

  function findHost() {
    return remotes().find((p) => roleOf(p) === "host") || null;
  }

  function remoteGuest() {
    return remotes().find((p) => roleOf(p) === "guest") || null;
  }

  function warn(text, detail) {
    // Warnings, not errors: a failed optional step must not look like a broken page.
    console.warn(`HostDesk: ${text}`, detail === undefined ? "" : detail);
  }

  function showError(node, text) {
    node.textContent = text;
    node.hidden = !text;
  }

  function remember(name) {
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch (err) {
      warn("could not remember your name", err);
    }
  }

  function remembered() {
    try {
      return localStorage.getItem(NAME_KEY) || "";
    } catch {
      return "";
    }
  }

  // -- the HTTP API --------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body, token) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, "Cannot reach the show's server");
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      let text = data && typeof data.error === "string" ? data.error : `HTTP ${response.status}`;
      if (response.status === 429) {
        const after = Number.parseInt(response.headers.get("Retry-After") || "", 10);
        text = Number.isFinite(after)
          ? `Too many requests: try again in ${after} s`
          : "Too many requests: try again in a moment";
      }
      throw new ApiError(response.status, text);
    }
    return data || {};
  }

  const roomPath = () => `/api/rooms/${encodeURIComponent(app.room)}`;

  // -- state and notices ---------------------------------------------------------------------

  function setState(state) {
    app.state = state;
    ui.state.dataset.state = state;
    ui.state.textContent = STATE_TEXT[state] || state;
  }

  function setNotice(text, kind = "info") {
    ui.notice.textContent = text;
    ui.notice.dataset.kind = kind;
    ui.notice.hidden = !text;
  }

  /** A final state: nothing reconnects any more. */
  function finish(state, text) {
    app.finished = true;
    app.generation += 1;
    clearTimeout(app.retryTimer);
    closeInvite();
    dropPrepared();
    const lk = app.lk;
    app.lk = null;
    if (lk) {
      teardown(lk);
      lk.disconnect().catch((err) => warn("disconnect failed", err));
    }
    app.onStage = false;
    setState(state);
    setNotice(text, "final");
    render();
  }

  // -- joining -------------------------------------------------------------------------------

  function readRoomFromPath() {
    const prefix = "/watch/";
    if (!location.pathname.startsWith(prefix)) return "";
    try {
      return decodeURIComponent(location.pathname.slice(prefix.length)).trim();
    } catch {
      return "";
    }
  }

  function setUpForm() {
    app.fixedRoom = readRoomFromPath();
    if (app.fixedRoom) {
      ui.roomField.hidden = true;
      ui.roomFixed.hidden = false;
      ui.roomFixed.textContent = "Show: ";
      const strong = document.createElement("strong");
      strong.textContent = app.fixedRoom;
      ui.roomFixed.append(strong);
      ui.showTitle.textContent = app.fixedRoom;
    }
    ui.nameInput.value = remembered();
    if (!app.fixedRoom) ui.roomInput.focus();
    else if (!ui.nameInput.value) ui.nameInput.focus();
    else ui.joinButton.focus();
  }

  function checkName(label, value) {
    if (!value) return `${label} is required`;
    if (codePoints(value) > MAX_NAME) return `${label} is too long (at most ${MAX_NAME} characters)`;
    // Control characters are refused by the server too.
    for (const ch of value) {
      const code = ch.codePointAt(0);
      if (code < 32 || code === 127) return `${label} must not contain control characters`;
    }
    return "";
  }

  async function onJoinSubmit(event) {
    event.preventDefault();
    const room = app.fixedRoom || ui.roomInput.value.trim();
    const name = ui.nameInput.value.trim();
    const problem = checkName("The show name", room) || checkName("Your name", name);
    if (problem) {
      showError(ui.joinError, problem);
      return;
    }
    showError(ui.joinError, "");
    remember(name);
    app.room = room;
    app.name = name;
    if (!app.fixedRoom) {
      // A reload (or a shared link) comes back to the same show.
      history.replaceState(null, "", `/watch/${encodeURIComponent(room)}`);
    }
    ui.showTitle.textContent = room;
    ui.join.hidden = true;
    ui.show.hidden = false;
    render();
    try {
      await waitForHost();
      app.joined = await requestToken();
    } catch (err) {
      // The server refused the join itself (a bad name): back to the form.
      ui.show.hidden = true;
      ui.join.hidden = false;
      setState("idle");
      showError(ui.joinError, err.message);
      return;
    }
    await connect();
  }

  /** Before connecting: polls the room every 2 s until it has a host. */
  async function waitForHost() {
    setState("waiting");
    for (;;) {
      try {
        const info = await api("GET", roomPath());
        if (info.room && info.room.hasHost) return;
        setNotice("The show has not started yet");
      } catch (err) {
        if (err.status === 404) setNotice("The show has not started yet");
        else setNotice(`${err.message}; trying again…`, "warning");
      }
      await sleep(POLL_MS);
    }
  }

  /** A viewer token; retried while the server or LiveKit is unavailable. */
  async function requestToken() {
    for (let attempt = 0; ; attempt += 1) {
      setState("connecting");
      try {
        const joined = await api("POST", "/api/rooms/join", {
          roomName: app.room,
          participantName: app.name,
          role: "viewer",
        });
        if (!joined.token || !joined.wsUrl) throw new ApiError(500, "The server sent no token");
        return joined;
      } catch (err) {
        if (err.status >= 400 && err.status < 500 && err.status !== 429) throw err;
        setNotice(`${err.message}; trying again…`, "warning");
        await sleep(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]);
      }
    }
  }

  async function connect() {
    if (app.finished) return;
    const generation = ++app.generation;
    setState(app.hostSeen ? "reconnecting" : "connecting");
    const lk = new LK.Room({ adaptiveStream: true, dynacast: true });
    listen(lk, generation);
    let sid = "";
    try {
      await lk.connect(app.joined.wsUrl, app.joined.token);
      sid = await roomSid(lk);
    } catch (err) {
      if (generation !== app.generation) return;
      teardown(lk);
      if (err instanceof LK.ConnectionError && err.reason === LK.ConnectionErrorReason.NotAllowed) {
        // The token is no longer accepted (expired): ask for a new one.
        try {
          app.joined = await requestToken();
        } catch (joinErr) {
          finish("failed", `Could not join the show: ${joinErr.message}`);
          return;
        }
      }
      warn("could not connect to LiveKit; retrying", err);
      retryLater(app.hostSeen ? undefined : "Could not connect to the show — trying again…");
      return;
    }
    if (generation !== app.generation) {
      teardown(lk);
      await lk.disconnect();
      return;
    }
    const last = app.place;
    const node = (lk.serverInfo && lk.serverInfo.nodeId) || "";
    app.place = { sid, node };
    app.lk = lk;
    if (last && sid && node && sid !== last.sid && node === last.node) {
      // The same LiveKit server (node), but a new room of the show's name, made by this join:
      // the room we were in was closed while we were away (the host ended the show), and its
      // ROOM_DELETED was lost with the connection it was sent on (see onReconnected). A
      // restarted server, which forgets rooms that are not over, has a new node.
      finish("ended", "The show has ended");
      return;
    }
    app.retries = 0;
    app.resuming = false;
    app.announced = Promise.race([lk.localParticipant.waitUntilActive(), sleep(ACTIVE_WAIT_MS)])
      .then(() => sleep(ANNOUNCE_MS));
    app.handRaised = handOf(lk.localParticipant) > 0;
    syncStage();
    render();
  }

  function retryLater(text = "Connection lost — reconnecting…") {
    if (app.finished) return;
    setState("reconnecting");
    setNotice(text, "warning");
    const base = RETRY_DELAYS_MS[Math.min(app.retries, RETRY_DELAYS_MS.length - 1)];
    app.retries += 1;
    clearTimeout(app.retryTimer);
    // Jitter: after a LiveKit restart every viewer comes back, not all in the same instant.
    app.retryTimer = setTimeout(connect, base * (0.75 + Math.random() * 0.5));
  }

  // -- LiveKit events ------------------------------------------------------------------------

  function listen(lk, generation) {
    const E = LK.RoomEvent;
    const current = (fn) =>
      (...args) => {
        if (generation === app.generation && !app.finished) fn(...args);
      };
    lk.on(E.Disconnected, current((reason) => onDisconnected(lk, reason)))
      .on(E.Reconnecting, current(() => {
        app.resuming = true;
        render();
      }))
      .on(E.Reconnected, current(() => onReconnected(lk, generation)))
      .on(E.ParticipantConnected, current(render))
      .on(E.ParticipantDisconnected, current(render))
      .on(E.ParticipantMetadataChanged, current((_old, participant) => {
        if (participant === lk.localParticipant) syncStage();
        render();
      }))
      .on(E.ParticipantPermissionsChanged, current((_old, participant) => {
        if (participant === lk.localParticipant) syncStage();
        render();
      }))
      .on(E.ParticipantAttributesChanged, current((_changed, participant) => {
        if (participant === lk.localParticipant) app.handRaised = handOf(participant) > 0;
        render();
      }))
      .on(E.TrackSubscribed, current((track) => {
        attachAudio(track);
        render();
      }))
      .on(E.TrackUnsubscribed, current((track) => {
        detachAudio(track);
        render();
      }))
      .on(E.TrackMuted, current(render))
      .on(E.TrackUnmuted, current(render))
      .on(E.LocalTrackPublished, current(render))
      .on(E.LocalTrackUnpublished, current(render))
      .on(E.AudioPlaybackStatusChanged, current(render))
      .on(E.DataReceived, current(onData));
  }

  function onDisconnected(lk, reason) {
    const R = LK.DisconnectReason;
    teardown(lk);
    app.lk = null;
    if (reason === R.ROOM_DELETED || reason === R.ROOM_CLOSED) {
      finish("ended", "The show has ended");
    } else if (reason === R.PARTICIPANT_REMOVED) {
      finish("removed", "You were removed from the show");
    } else if (reason === R.DUPLICATE_IDENTITY) {
      finish("failed", "You joined this show from another window");
    } else {
      // SERVER_SHUTDOWN, a lost connection, a failed resume: rejoin with the same token.
      // A restarted LiveKit server forgets roles and hands; the host app re-applies them.
      rejoinLater();
    }
  }

  async function onReconnected(lk, generation) {
    const sid = await roomSid(lk);
    if (generation !== app.generation || app.finished) return;
    if (app.place && sid && sid !== app.place.sid) {
      // livekit-client joined again by itself, into a new room of the show's name: the room we
      // were in is gone. When the host ends the show, livekit-client can drop the connection
      // the server's ROOM_DELETED is on before reading it (the data channels close first) and
      // resume; the server answers that with a leave of STATE_MISMATCH, the same answer a
      // restarted LiveKit server gives, and livekit-client joins anew. Our own join tells the
      // two apart (connect): a restarted server is a new node.
      teardown(lk);
      app.lk = null;
      lk.disconnect().catch((err) => warn("disconnect failed", err));
      rejoinLater();
      return;
    }
    app.resuming = false;
    syncStage();
    render();
  }

  /** After a lost session: joins again with the same token, in a while (retryLater). */
  function rejoinLater() {
    app.onStage = false;
    dropPrepared();
    retryLater();
    render();
  }

  /** The room's id as the server issued it ("" once disconnected). */
  async function roomSid(lk) {
    try {
      return await lk.getSid();
    } catch {
      return "";
    }
  }

  /** Lets go of everything a room holds on the page: elements, tracks, listeners. */
  function teardown(lk) {
    lk.removeAllListeners();
    for (const tile of Object.values(tiles)) showTrack(tile, null);
    ui.audioSink.replaceChildren();
    for (const publication of lk.localParticipant.trackPublications.values()) {
      if (publication.track) publication.track.stop();
    }
    closeInvite();
  }

  function attachAudio(track) {
    if (track.kind !== "audio" || track instanceof LK.LocalTrack) return;
    ui.audioSink.append(track.attach());
  }

  function detachAudio(track) {
    if (track.kind !== "audio") return;
    for (const element of track.detach()) element.remove();
  }

  // -- data messages -------------------------------------------------------------------------

  async function send(type, fields, to) {
    const lk = app.lk;
    if (!lk) throw new Error("Not connected to the show");
    await app.announced;
    if (app.lk !== lk) throw new Error("The connection was lost; try again");
    const message = {
      type,
      senderId: lk.localParticipant.identity,
      senderName: app.name,
      timestamp: Date.now(),
      ...fields,
    };
    await lk.localParticipant.publishData(encoder.encode(JSON.stringify(message)), {
      reliable: true,
      topic: TOPIC,
      destinationIdentities: to || [],
    });
  }

  function onData(payload, participant, _kind, topic) {
    if (topic !== TOPIC) return;
    let message;
    try {
      message = JSON.parse(decoder.decode(payload));
    } catch {
      warn("dropped a data packet that is not JSON");
      return;
    }
    if (!message || typeof message !== "object" || typeof message.type !== "string") {
      warn("dropped a data packet without a type");
      return;
    }
    if (!participant) {
      // The server's own broadcasts (stage and hand announcements): what they announce
      // arrives as metadata and attributes anyway.
      return;
    }
    const me = app.lk.localParticipant.identity;
    switch (message.type) {
      case "guest_invite":
        if (roleOf(participant) !== "host") {
          warn(`ignored an invitation from ${participant.identity}: not the host`);
        } else if (message.targetParticipantId && message.targetParticipantId !== me) {
          warn("ignored an invitation meant for someone else");
        } else {
          app.announced = Promise.resolve(); // the host knows who we are
          openInvite(participant);
        }
        break;
      case "chat_message":
        if (typeof message.message !== "string" || !message.message.trim()) {
          warn("dropped an empty chat message");
        } else if (codePoints(message.message) > MAX_CHAT) {
          warn("dropped a chat message over the length limit");
        } else {
          addChatLine(nameOf(participant), message.message, {
            host: roleOf(participant) === "host",
          });
        }
        break;
      default:
        // hand_raise / hand_lower / guest_*: the queue and the stage follow LiveKit's
        // attributes and metadata, which only the server can write.
        break;
    }
  }

  // -- the invitation ------------------------------------------------------------------------

  function openInvite(host) {
    if (app.onStage) return;
    closeInvite();
    ui.inviteText.textContent = `${nameOf(host)} invites you on stage`;
    app.invite = {
      host: host.identity,
      timer: setTimeout(() => {
        closeInvite();
        showError(ui.actionError, "The invitation expired");
      }, INVITE_TIMEOUT_MS),
    };
    showError(ui.actionError, "");
    if (!ui.inviteDialog.open) ui.inviteDialog.showModal();
    ui.inviteAccept.focus();
  }

  function closeInvite() {
    if (app.invite) clearTimeout(app.invite.timer);
    app.invite = null;
    if (ui.inviteDialog.open) ui.inviteDialog.close();
  }

  async function answerInvite(accepted) {
    const invite = app.invite;
    closeInvite();
    if (!invite) return;
    if (accepted) prepareTracks();
    try {
      await send("guest_invite_response", { accepted }, [invite.host]);
    } catch (err) {
      dropPrepared();
      showError(ui.actionError, `Could not answer the invitation: ${err.message}`);
    }
  }

  /** Opens camera and microphone while the host promotes us, so publishing starts at once. */
  function prepareTracks() {
    dropPrepared();
    const tracks = LK.createLocalTracks({ audio: true, video: true }).catch((err) => {
      warn("could not open the camera or microphone yet", err);
      return [];
    });
    const timer = setTimeout(() => {
      // The promotion did not come (the stage filled up, the host changed their mind).
      dropPrepared();
      render();
    }, PREPARED_TRACKS_TTL_MS);
    app.prepared = { tracks, timer };
    render();
  }

  function dropPrepared() {
    const prepared = app.prepared;
    app.prepared = null;
    if (!prepared) return;
    clearTimeout(prepared.timer);
    prepared.tracks.then((tracks) => tracks.forEach((track) => track.stop()));
  }

  // -- on stage ------------------------------------------------------------------------------

  /** Publishes when LiveKit lets us (promotion), stops when it no longer does (demotion). */
  function syncStage() {
    const lk = app.lk;
    if (!lk) return;
    const permissions = lk.localParticipant.permissions;
    const canPublish = Boolean(permissions && permissions.canPublish);
    if (canPublish === app.onStage) return;
    app.onStage = canPublish;
    if (canPublish) closeInvite();
    const step = canPublish ? startPublishing : stopPublishing;
    app.stageOps = app.stageOps.then(() => step(lk)).catch((err) => {
      showError(ui.actionError, `Camera or microphone: ${err.message || err}`);
    });
    render();
  }

  async function startPublishing(lk) {
    if (lk !== app.lk || !app.onStage) return;
    const participant = lk.localParticipant;
    const prepared = app.prepared;
    app.prepared = null;
    let tracks = [];
    if (prepared) {
      clearTimeout(prepared.timer);
      tracks = await prepared.tracks;
    }
    if (lk !== app.lk || !app.onStage) {
      tracks.forEach((track) => track.stop());
      return;
    }
    const live = tracks.filter((track) => track.mediaStreamTrack.readyState === "live");
    await Promise.all(live.map((track) => participant.publishTrack(track)));
    const pending = [];
    if (!participant.isCameraEnabled) pending.push(participant.setCameraEnabled(true));
    if (!participant.isMicrophoneEnabled) pending.push(participant.setMicrophoneEnabled(true));
    await Promise.all(pending);
    showError(ui.actionError, "");
    render();
  }

  async function stopPublishing(lk) {
    dropPrepared();
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
    render();
  }

  function localMedia() {
    const lk = app.lk;
    if (!lk) return [];
    return [...lk.localParticipant.trackPublications.values()].filter((p) => p.track);
  }

  async function toggle(source) {
    const lk = app.lk;
    if (!lk || !app.onStage) return;
    const participant = lk.localParticipant;
    try {
      if (source === "camera") await participant.setCameraEnabled(!participant.isCameraEnabled);
      else await participant.setMicrophoneEnabled(!participant.isMicrophoneEnabled);
    } catch (err) {
      showError(ui.actionError, `Could not switch the ${source}: ${err.message}`);
    }
    render();
  }

  // -- hand ----------------------------------------------------------------------------------

  async function onHandClick() {
    const lk = app.lk;
    if (!lk || app.handBusy || app.onStage) return;
    const raised = !app.handRaised;
    const identity = lk.localParticipant.identity;
    app.handBusy = true;
    showError(ui.actionError, "");
    render();
    // The broadcast goes out with the request, so the host sees the hand at once; the API
    // call writes the authoritative time. A refused request takes the broadcast back.
    const announced = send(raised ? "hand_raise" : "hand_lower", {}).catch((err) => {
      warn("could not announce the hand", err);
    });
    try {
      const result = await api(
        "POST",
        `${roomPath()}/hand-raise`,
        { participantIdentity: identity, raised },
        app.joined.token,
      );
      app.handRaised = Boolean(result.handRaised);
    } catch (err) {
      await announced;
      send(raised ? "hand_lower" : "hand_raise", {}).catch((e) => warn("undo failed", e));
      showError(ui.actionError, err.message);
    } finally {
      app.handBusy = false;
      render();
    }
  }

  /** My place among the viewers whose hand is up, by the server-written time (1-based). */
  function queuePosition() {
    const lk = app.lk;
    if (!lk || !app.handRaised) return null;
    const everyone = [lk.localParticipant, ...lk.remoteParticipants.values()];
    const queue = everyone
      .filter((p) => roleOf(p) === "viewer" && handOf(p) > 0)
      .sort((a, b) => handOf(a) - handOf(b) || (a.identity < b.identity ? -1 : 1));
    const index = queue.findIndex((p) => p.identity === lk.localParticipant.identity);
    return index < 0 ? null : index + 1;
  }

  function viewerCount() {
    const lk = app.lk;
    if (!lk) return 0;
    const others = remotes().filter((p) => roleOf(p) === "viewer").length;
    return others + (roleOf(lk.localParticipant) === "viewer" && !app.onStage ? 1 : 0);
  }

  // -- chat ----------------------------------------------------------------------------------

  function addChatLine(who, text, { host = false, own = false } = {}) {
    const list = ui.chatList;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const line = document.createElement("li");
    line.className = "chat-line";
    if (host) line.classList.add("host");
    if (own) line.classList.add("own");
    const name = document.createElement("span");
    name.className = "who";
    name.textContent = who;
    line.append(name);
    if (host) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = "Host";
      line.append(badge);
    }
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    line.append(body);
    list.append(line);
    while (list.children.length > CHAT_KEEP) list.firstElementChild.remove();
    if (atBottom || own) list.scrollTop = list.scrollHeight;
    return line;
  }

  async function onChatSubmit(event) {
    event.preventDefault();
    const text = ui.chatInput.value.trim();
    if (!text) return;
    if (codePoints(text) > MAX_CHAT) {
      showError(ui.chatError, `A message can be at most ${MAX_CHAT} characters`);
      return;
    }
    showError(ui.chatError, "");
    ui.chatInput.value = "";
    const line = addChatLine(`${app.name} (you)`, text, { own: true });
    try {
      await send("chat_message", { message: text });
    } catch (err) {
      line.remove();
      if (!ui.chatInput.value) ui.chatInput.value = text;
      showError(ui.chatError, `Not sent: ${err.message}`);
    }
  }

  // -- rendering -----------------------------------------------------------------------------

  function cameraTrackOf(participant) {
    if (!participant) return null;
    const publication =
      participant.getTrackPublication(LK.Track.Source.Camera) ||
      [...participant.trackPublications.values()].find((p) => p.kind === "video");
    if (!publication || !publication.track || publication.isMuted) return null;
    return publication.track;
  }

  function showTrack(tile, track) {
    if (tile.track === track) return;
    if (tile.track) tile.track.detach(tile.video);
    tile.track = track;
    if (track) track.attach(tile.video);
    else tile.video.srcObject = null;
  }

  function renderTile(tile, participant, name, { local = false } = {}) {
    tile.box.hidden = !participant;
    const track = participant ? cameraTrackOf(participant) : null;
    showTrack(tile, track);
    tile.box.dataset.identity = participant ? participant.identity : "";
    tile.video.classList.toggle("mirror", local);
    tile.placeholder.hidden = Boolean(track);
    tile.name.textContent = name;
  }

  function render() {
    const lk = app.lk;
    const connected = Boolean(lk);
    const host = findHost();
    const guest = app.onStage && lk ? lk.localParticipant : remoteGuest();

    if (host) app.hostSeen = true;
    if (connected && !app.finished) {
      if (app.resuming) {
        setState("reconnecting");
        setNotice("Connection lost — reconnecting…", "warning");
      } else if (host) {
        setState("live");
        setNotice("");
      } else {
        setState("waiting");
        setNotice(
          app.hostSeen
            ? "The host has stepped away — the show goes on when they are back"
            : "The show has not started yet",
        );
      }
    }

    renderTile(tiles.host, host, host ? nameOf(host) : "Host");
    tiles.host.placeholder.textContent = host ? "Camera off" : "Waiting for the host";
    tiles.host.box.hidden = !connected;
    const guestName = guest ? (guest === lk.localParticipant ? `${app.name} (you)` : nameOf(guest)) : "";
    renderTile(tiles.guest, guest, guestName, { local: Boolean(guest) && guest === lk.localParticipant });
    ui.stage.classList.toggle("duo", Boolean(guest) && connected);
    ui.stage.classList.toggle("solo", !guest || !connected);
    ui.stage.hidden = !connected;

    ui.viewerCount.hidden = !connected;
    const count = viewerCount();
    ui.viewerCount.textContent = `${count} viewer${count === 1 ? "" : "s"}`;

    ui.soundButton.hidden = !connected || lk.canPlaybackAudio;

    const viewer = connected && !app.onStage;
    ui.handBox.hidden = !viewer;
    ui.handButton.disabled = app.handBusy || !host;
    ui.handButton.textContent = app.handRaised ? "Lower hand" : "Raise hand";
    ui.handButton.setAttribute("aria-pressed", String(app.handRaised));
    const position = queuePosition();
    if (app.prepared) ui.queue.textContent = "Joining the stage…";
    else if (!app.handRaised) ui.queue.textContent = "";
    else ui.queue.textContent = position ? `You are ${ordinal(position)} in line` : "Your hand is up";

    ui.stageBox.hidden = !(connected && app.onStage);
    if (connected && app.onStage) {
      const participant = lk.localParticipant;
      ui.micButton.textContent = participant.isMicrophoneEnabled ? "Mute mic" : "Unmute mic";
      ui.micButton.setAttribute("aria-pressed", String(participant.isMicrophoneEnabled));
      ui.cameraButton.textContent = participant.isCameraEnabled
        ? "Turn camera off"
        : "Turn camera on";
      ui.cameraButton.setAttribute("aria-pressed", String(participant.isCameraEnabled));
    }

    ui.chatInput.disabled = !connected;
    ui.chatSend.disabled = !connected;
  }

  // -- a read-only view for tests and support ------------------------------------------------

  const view = Object.freeze(
    Object.defineProperties(
      {},
      {
        state: { get: () => app.state, enumerable: true },
        identity: { get: () => (app.joined ? app.joined.identity : ""), enumerable: true },
        hostPresent: { get: () => Boolean(findHost()), enumerable: true },
        onStage: { get: () => app.onStage, enumerable: true },
        isPublishing: { get: () => localMedia().length > 0, enumerable: true },
        publishedSources: { get: () => localMedia().map((p) => p.source), enumerable: true },
        handRaised: { get: () => app.handRaised, enumerable: true },
        queuePosition: { get: () => queuePosition(), enumerable: true },
        viewerCount: { get: () => viewerCount(), enumerable: true },
        canPlaybackAudio: { get: () => Boolean(app.lk && app.lk.canPlaybackAudio), enumerable: true },
      },
    ),
  );
  Object.defineProperty(window, "hostdeskViewer", { value: view, enumerable: true });

  // -- wiring --------------------------------------------------------------------------------

  function start() {
    if (!LK) {
      showError(ui.joinError, "The page could not load its LiveKit library; reload to try again");
      ui.joinButton.disabled = true;
      return;
    }
    ui.joinForm.addEventListener("submit", onJoinSubmit);
    ui.handButton.addEventListener("click", onHandClick);
    ui.micButton.addEventListener("click", () => toggle("microphone"));
    ui.cameraButton.addEventListener("click", () => toggle("camera"));
    ui.soundButton.addEventListener("click", () => {
      if (!app.lk) return;
      app.lk.startAudio().then(render, (err) => warn("could not start audio", err));
    });
    ui.chatForm.addEventListener("submit", onChatSubmit);
    ui.inviteAccept.addEventListener("click", () => answerInvite(true));
    ui.inviteDecline.addEventListener("click", () => answerInvite(false));
    ui.inviteDialog.addEventListener("cancel", (event) => {
      event.preventDefault(); // Escape declines, so the host is not left waiting
      answerInvite(false);
    });
    window.addEventListener("pagehide", () => {
      if (app.lk) app.lk.disconnect();
    });
    setUpForm();
    setState("idle");
  }

  start();
})();
