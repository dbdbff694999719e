// @ts-check
// The page's entry: loads the viewer (app.js, with livekit-client) and, should that fail (a
// file missing, a browser without ES2022), says so on the join form instead of a dead page.

import("./app.js").catch((err) => {
  const error = document.getElementById("join-error");
  const join = document.getElementById("join-button");
  if (error) {
    error.textContent = "The page could not load its LiveKit library; reload to try again";
    error.hidden = false;
  }
  if (join instanceof HTMLButtonElement) join.disabled = true;
  console.warn("HostDesk: the viewer did not load", err);
});
