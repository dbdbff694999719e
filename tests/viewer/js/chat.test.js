// What the page says about the viewer's own chat (resources/viewer/chat.js chatNotice), pure.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MUTED_TEXT, chatNotice } from "../../../resources/viewer/chat.js";
import { chatSettings } from "../../../resources/viewer/moderation.js";
import { initialState } from "../../../resources/viewer/store.js";

const me = (role, attributes = {}) => ({
  identity: "me",
  metadata: JSON.stringify({ role, displayName: "Me" }),
  attributes,
});
const slow = (seconds) => chatSettings(JSON.stringify({ chat: { slowModeSeconds: seconds } }));
const state = (change = {}) => ({ ...initialState(), phase: "joined", ...change });

test("not connected: nothing to type in, nothing said", () => {
  assert.deepEqual(chatNotice(state(), null), {
    text: "",
    kind: "info",
    canType: false,
    canSend: false,
    send: "Send",
  });
});

test("a muted viewer is told plainly and can neither type nor send", () => {
  const muted = chatNotice(state({ chatSettings: slow(10) }), me("viewer", { chatMuted: "1" }));
  assert.deepEqual(muted, {
    text: MUTED_TEXT,
    kind: "warning",
    canType: false,
    canSend: false,
    send: "Send",
  });
  assert.equal(MUTED_TEXT, "The host has muted your chat");
});

test("slow mode is told, and Send waits with a countdown after a line", () => {
  const viewer = me("viewer");
  assert.deepEqual(chatNotice(state({ chatSettings: slow(10) }), viewer), {
    text: "Slow mode: one message every 10 s",
    kind: "info",
    canType: true,
    canSend: true,
    send: "Send",
  });
  const waiting = chatNotice(state({ chatSettings: slow(10), chatWaitS: 7 }), viewer);
  assert.equal(waiting.text, "Slow mode: one message every 10 s");
  assert.equal(waiting.send, "7 s", "the countdown on the Send button");
  assert.equal(waiting.canSend, false);
  assert.equal(waiting.canType, true, "the next line can be typed meanwhile");
  assert.equal(chatNotice(state({ chatSettings: slow(10), chatSending: true }), viewer).canSend, false);
});

test("without slow mode, or on stage, a line may follow another at once", () => {
  assert.deepEqual(chatNotice(state({ chatSending: true }), me("viewer")), {
    text: "",
    kind: "info",
    canType: true,
    canSend: true,
    send: "Send",
  });
  const guest = chatNotice(state({ chatSettings: slow(10), chatSending: true }), me("guest"));
  assert.deepEqual(guest, { text: "", kind: "info", canType: true, canSend: true, send: "Send" });
});
