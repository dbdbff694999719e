"""A guest's camera for the window benchmarks, in a process of its own (so it shares no GIL with
the app being measured). Not a benchmark itself.

    python bench/_publisher.py WS_URL TOKEN [--width 1280 --height 720 --fps 30]
                               [--share 1920x1080 --share-fps 30]

Connects with TOKEN, waits until LiveKit lets it publish (the host promotes it), then publishes
a `camera` track from `rtc.VideoSource(width, height)` fed a moving synthetic pattern: 30 RGBA
frames prebuilt with numpy and cycled, so that feeding costs little (`--pattern motion`, where
every pixel moves, or `talking`, a webcam's still room with a moving person). With `--share`,
the line `share` on its stdin also publishes a screen share of that size (source SCREENSHARE):
a still page of text-like bars with a pointer moving over it, as a shared screen mostly is.
Stops when its stdin closes. Prints JSON lines: {"connected": identity}, {"published": sid},
{"shared": sid}, and at the end its figures.
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

from hostdesk.livekit.joining import join

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


def talking(width: int, height: int, count: int = CYCLE) -> list[rtc.VideoFrame]:
    """A webcam's usual picture: a still room (a gradient) and, in its middle third, a person
    who moves a little and whose shading changes every frame. Most of each frame is still, as
    from a real webcam on a desk; what moves is a third of the picture."""
    x = np.arange(width, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    room = np.empty((height, width, 4), dtype=np.uint8)
    room[..., 0] = (90 + 60 * np.sin(x / 211.0)).astype(np.uint8)
    room[..., 1] = (80 + 50 * np.cos(y / 173.0)).astype(np.uint8)
    room[..., 2] = (70 + 40 * np.sin((x + y) / 307.0)).astype(np.uint8)
    room[..., 3] = 255
    w, h = width // 3, height // 2
    px = np.arange(w, dtype=np.float32)[None, :]
    py = np.arange(h, dtype=np.float32)[:, None]
    frames = []
    for i in range(count):
        rgba = room.copy()
        phase = 2 * np.pi * i / count
        left = width // 3 + int(12 * np.sin(phase))
        top = height // 3 + int(6 * np.cos(phase))
        person = rgba[top : top + h, left : left + w]
        person[..., 0] = 190 + 50 * np.sin(px / 23.0 + phase) + 0 * py
        person[..., 1] = 140 + 40 * np.cos(py / 17.0 - phase) + 0 * px
        person[..., 2] = 120 + 30 * np.sin((px + py) / 29.0 + 2 * phase)
        frames.append(rtc.VideoFrame(width, height, rtc.VideoBufferType.RGBA, rgba.tobytes()))
    return frames


def screen(width: int, height: int, count: int = CYCLE) -> list[rtc.VideoFrame]:
    """A still page (light background, rows of dark bars like lines of text, a coloured panel)
    with a pointer-sized square moving across it: what a screen share mostly is."""
    page = np.full((height, width, 4), 246, dtype=np.uint8)
    page[..., 3] = 255
    line = max(4, height // 60)
    for row, top in enumerate(range(height // 10, height * 9 // 10, 2 * line)):
        length = width * (5 + (row * 7) % 4) // 10
        page[top : top + line, width // 12 : width // 12 + length, :3] = 40
    page[height // 8 : height // 3, width * 2 // 3 : width * 11 // 12, :3] = (30, 90, 220)
    frames = []
    side = max(8, height // 40)
    for i in range(count):
        rgba = page.copy()
        left = int((i / count) * (width - side))
        top = height // 2 + int(np.sin(2 * np.pi * i / count) * height // 4)
        rgba[top : top + side, left : left + side, :3] = (220, 30, 30)
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
    parser.add_argument(
        "--pattern",
        choices=("motion", "talking"),
        default="motion",
        help="motion: everything moves (the decoder's worst case); talking: a webcam's still "
        "room with a moving person in its middle third",
    )
    parser.add_argument("--share", default="", help="WIDTHxHEIGHT of a screen share")
    parser.add_argument("--share-fps", type=int, default=30)
    args = parser.parse_args()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    share_now = asyncio.Event()

    def watch_stdin() -> None:
        for line in sys.stdin:
            if line.strip() == "share":
                loop.call_soon_threadsafe(share_now.set)
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    frames = (talking if args.pattern == "talking" else pattern)(args.width, args.height)

    room = rtc.Room()
    await join(room, args.url, args.token, 20)
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

    started, cpu0 = time.perf_counter(), time.process_time()
    feeders = [asyncio.ensure_future(feed(source, frames, args.fps, stop))]
    if args.share:
        feeders.append(asyncio.ensure_future(share(room, args, share_now, stop)))
    counts = await asyncio.gather(*feeders)
    sent, late = counts[0]
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    encoded: list[dict[str, object]] = []
    for s in (await room.get_rtc_stats()).publisher_stats:
        if s.WhichOneof("stats") == "outbound_rtp" and s.outbound_rtp.stream.kind == "video":
            out = s.outbound_rtp.outbound
            encoded.append(
                {
                    "encoded_fps": out.frames_encoded / wall,
                    "sent_fps": out.frames_sent / wall,
                    "size": f"{out.frame_width}x{out.frame_height}",
                    "limited_by": out.quality_limitation_reason,
                }
            )
    await room.disconnect()
    await source.aclose()
    say(
        share_frames=counts[1][0] if len(counts) > 1 else 0,
        frames=sent,
        seconds=wall,
        fps=sent / wall,
        skips=late,
        cpu_pct=100 * cpu / wall,
        encoded=encoded,
    )


async def feed(
    source: rtc.VideoSource, frames: list[rtc.VideoFrame], fps: int, stop: asyncio.Event
) -> tuple[int, int]:
    """Sends the frames in a cycle at `fps` until `stop`; returns (sent, skips)."""
    period = 1 / fps
    sent = late = 0
    due = time.perf_counter()
    while not stop.is_set():
        source.capture_frame(frames[sent % len(frames)])
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
    return sent, late


async def share(
    room: rtc.Room, args: argparse.Namespace, share_now: asyncio.Event, stop: asyncio.Event
) -> tuple[int, int]:
    """Publishes the screen share when told (`share` on stdin) and feeds it until `stop`."""
    width, height = (int(v) for v in args.share.split("x"))
    pages = screen(width, height)
    waiting = asyncio.ensure_future(share_now.wait())
    await asyncio.wait(
        {waiting, asyncio.ensure_future(stop.wait())}, return_when=asyncio.FIRST_COMPLETED
    )
    if stop.is_set():
        waiting.cancel()
        return 0, 0
    source = rtc.VideoSource(width, height)
    track = rtc.LocalVideoTrack.create_video_track("screen_share", source)
    options = rtc.TrackPublishOptions(
        source=rtc.TrackSource.SOURCE_SCREENSHARE,
        simulcast=False,
        video_codec=rtc.VideoCodec.VP8,
        video_encoding=rtc.VideoEncoding(max_framerate=args.share_fps, max_bitrate=3_000_000),
        degradation_preference=rtc.DegradationPreference.MAINTAIN_RESOLUTION,
    )
    publication = await room.local_participant.publish_track(track, options)
    say(shared=publication.sid)
    try:
        return await feed(source, pages, args.share_fps, stop)
    finally:
        await source.aclose()


if __name__ == "__main__":
    asyncio.run(main())
