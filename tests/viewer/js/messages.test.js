// Which packets the page reads as show messages (resources/viewer/messages.js), pure.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TOPIC, decodeMessage, encodeMessage, isShowTopic } from "../../../resources/viewer/messages.js";

test("our topic and no topic at all (a client written to the contract) are show messages", () => {
  for (const topic of [TOPIC, "", undefined]) assert.equal(isShowTopic(topic), true, String(topic));
});

test("another app's topic in the same room is left alone", () => {
  for (const topic of ["chat", "HostDesk", "hostdesk-other", " "]) {
    assert.equal(isShowTopic(topic), false, topic);
  }
});

test("a message the page encodes decodes to the documented fields", () => {
  const sender = { identity: "viewer-1", name: "Ann" };
  const payload = encodeMessage("chat_message", sender, { message: "hi" }, 1704067200000);
  assert.deepEqual(decodeMessage(payload), {
    message: {
      type: "chat_message",
      senderId: "viewer-1",
      senderName: "Ann",
      timestamp: 1704067200000,
      message: "hi",
    },
  });
});
