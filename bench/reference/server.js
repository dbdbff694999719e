// The contract's reference stack for one endpoint: POST /api/rooms/join for a viewer, on
// Express 4 and livekit-server-sdk 2, written the way the contract's own server answers it
// (same body, same error text, the contract's response fields). It is the yardstick of
// bench/join_throughput.py, not part of HostDesk: the grants are HostDesk's viewer grants
// (hostdesk/show/roles.py) so that both servers do the same work per token, and the bench
// decodes both tokens before measuring to prove it.
//
//   LIVEKIT_URL=ws://... LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... node server.js PORT
import { randomBytes } from "node:crypto";
import express from "express";
import { AccessToken } from "livekit-server-sdk";

const port = Number(process.argv[2] ?? 3001);
const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env;

/** A unique identity that reads like its owner, as HostDesk makes it: `viewer-sam-3f9a1c07`. */
function newIdentity(role, displayName) {
  const slug = displayName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const suffix = randomBytes(4).toString("hex");
  return slug ? `${role}-${slug.slice(0, 40)}-${suffix}` : `${role}-${suffix}`;
}

const app = express();
app.use(express.json());

app.post("/api/rooms/join", async (req, res) => {
  const { roomName, participantName, role } = req.body ?? {};
  if (!roomName || !participantName) {
    return res.status(400).json({ error: "roomName and participantName are required" });
  }
  if (role !== "viewer") {
    // The host's join asks LiveKit whether the room has a host; the bench measures viewers.
    return res.status(400).json({ error: "this reference serves viewer joins only" });
  }
  const token = new AccessToken(LIVEKIT_API_KEY, LIVEKIT_API_SECRET, {
    identity: newIdentity(role, participantName),
    name: participantName,
    metadata: JSON.stringify({ role, displayName: participantName }),
  });
  token.addGrant({
    roomJoin: true,
    room: roomName,
    canPublish: false,
    canSubscribe: true,
    canPublishData: true,
    canUpdateOwnMetadata: false,
  });
  res.json({ token: await token.toJwt(), wsUrl: LIVEKIT_URL, roomName, role });
});

app.listen(port, "127.0.0.1");
