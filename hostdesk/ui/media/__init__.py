"""The host's local media: the devices a host can pick (`devices`), the built-in test pattern
(`pattern`), the camera (`camera`), and sound in and out (`audio`: tone, microphone, playback).

Media leaves and enters this package as plain bytes through callbacks (`frames`), so the LiveKit
side never touches Qt. Every failure (no device, no sound server) goes to an `on_error` callback
as a sentence the host can read; nothing here raises because a device is missing.

The device listing is named here too: it is all that code outside the window (the self-test)
asks of the host's media.
"""

from hostdesk.ui.media.devices import Device, audio_inputs, video_inputs

__all__ = ["Device", "audio_inputs", "video_inputs"]
