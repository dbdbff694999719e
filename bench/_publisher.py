"""A guest's camera for the window benchmarks, in a process of its own (so it shares no GIL with
the app being measured). Not a benchmark itself.

    python bench/_publisher.py WS_URL TOKEN [--width 1280 --height 720 --fps 30]

Connects with TOKEN, waits until LiveKit lets it publish (the host promotes it), then publishes
a `camera` track from `rtc.VideoSource(width, height)` fed a moving synthetic pattern: 30 RGBA
frames prebuilt with numpy and cycled, so that feeding costs little. Stops when its stdin closes.
Prints JSON lines: {"connected": identity}, {"published": sid}, and at the end its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time

import numpy as np
from livekit import rtc

CYCLE = 30


def pattern(width: int, height: int, count: int = CYCLE) -> list[rtc.VideoFrame]:
    """A colour gradient scrolling sideways with a bright square crossing it: every frame moves
    everywhere, so the encoder and the host's decoder do real work."""
    x = np.arange(width, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    frames = []
    for i in range(count):
        shift = i * width / count
        rgba = np.empty((height, width, 4), dtype=np.uint8)
        rgba[..., 0] = (127 + 120 * np.sin((x + shift) / 97.0)).astype(np.uint8)
        rgba[..., 1] = (127 + 120 * np.sin((y + shift / 2) / 61.0)).astype(np.uint8)
        rgba[..., 2] = (127 + 120 * np.cos((x + y + shift) / 151.0)).astype(np.uint8)
        rgba[..., 3] = 255
        side = height // 4
        left = int((i / count) * (width - side))
        top = int(abs(np.sin(np.pi * i / count)) * (height - side))
        rgba[top : top + side, left : left + side, :3] = 240
        frames.append(rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, rgba.tobytes()))
    return frames


def say(**line: object) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=30)
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    frames = pattern(args.width, args.height)

    room = rtc.Room()
    await asyncio.wait_for(room.connect(args.url, args.token), 20)
    say(connected=room.local_participant.identity)
    while not room.local_participant.permissions.can_publish:
        if stop.is_set():
            await room.disconnect()
            return
        await asyncio.sleep(0.05)

    source = rtc.VideoSource(args.width, args.height)
    track = rtc.LocalVideoTrack.create_video_track("camera", source)
    options = rtc.TrackPublishOptions(
        source=rtc.TrackSource.SOURCE_CAMERA,
        simulcast=False,  # one 720p layer: what the host, who does not adapt, receives anyway
        video_codec=rtc.VideoCodec.VP8,
        video_encoding=rtc.VideoEncoding(max_framerate=args.fps, max_bitrate=2_500_000),
        # Under CPU or bandwidth pressure drop frames, never resolution: the host is to be
        # measured on 1280x720 frames (a late or skipped frame shows in its frame rate).
        degradation_preference=rtc.DegradationPreference.MAINTAIN_RESOLUTION,
    )
    publication = await room.local_participant.publish_track(track, options)
    say(published=publication.sid)

    period = 1 / args.fps
    sent = late = 0
    started, cpu0 = time.perf_counter(), time.process_time()
    due = started
    while not stop.is_set():
        source.capture_frame(frames[sent % CYCLE])
        sent += 1
        due += period
        wait = due - time.perf_counter()
        if wait < -period:  # more than a frame behind: skip ahead rather than burst
            late += 1
            due = time.perf_counter()
            wait = 0.0
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, wait))
        except TimeoutError:
            pass
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    encoded: dict[str, object] = {}
    for s in (await room.get_rtc_stats()).publisher_stats:
        if s.WhichOneof("stats") == "outbound_rtp" and s.outbound_rtp.stream.kind == "video":
            out = s.outbound_rtp.outbound
            encoded = {
                "encoded_fps": out.frames_encoded / wall,
                "sent_fps": out.frames_sent / wall,
                "size": f"{out.frame_width}x{out.frame_height}",
                "limited_by": out.quality_limitation_reason,
            }
    await room.disconnect()
    await source.aclose()
    say(
        frames=sent,
        seconds=wall,
        fps=sent / wall,
        skips=late,
        cpu_pct=100 * cpu / wall,
        **encoded,
    )


if __name__ == "__main__":
    asyncio.run(main())
