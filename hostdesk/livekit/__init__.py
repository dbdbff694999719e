"""The only package that imports livekit: tokens, the room service and the host's RTC session."""
