"""Local media: the test pattern and tone that stand in for a camera and microphone, and how the
real devices and the audio player behave on a machine that has none."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaDevices, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

# The modules, not their names: pytest would try to collect a class called TestPattern.
from hostdesk.ui.media import audio as sound
from hostdesk.ui.media import camera as cameras
from hostdesk.ui.media import devices as device_list
from hostdesk.ui.media import frames as rgba
from hostdesk.ui.media import pacing
from hostdesk.ui.media import pattern as patterns

WIDTH, HEIGHT = 1280, 720
SHOW_TIME = datetime(2024, 5, 17, 20, 15, 42, 300_000)


def pixels(image: QImage) -> np.ndarray:
    return np.frombuffer(rgba.rgba_bytes(image), np.uint8).reshape(image.height(), -1, 4)


def tone_samples(tone: sound.ToneSource, chunks: int) -> np.ndarray:
    return np.frombuffer(b"".join(tone.chunk() for _ in range(chunks)), "<i2").astype(float)


class Errors(list[str]):
    def __call__(self, message: str) -> None:
        self.append(message)


# --- test pattern --------------------------------------------------------------------------------


def test_pattern_frame_is_720p_rgba(qapp: QApplication) -> None:
    frame = patterns.TestPattern(lambda w, h, b: None).render(SHOW_TIME)

    assert (frame.width(), frame.height()) == (WIDTH, HEIGHT)
    assert frame.format() == QImage.Format.Format_RGBA8888
    assert len(rgba.rgba_bytes(frame)) == WIDTH * HEIGHT * 4


def test_pattern_moves_and_its_clock_changes_within_a_second(qapp: QApplication) -> None:
    pattern = patterns.TestPattern(lambda w, h, b: None)

    first = pixels(pattern.render(SHOW_TIME))
    later = pixels(pattern.render(SHOW_TIME + timedelta(seconds=1)))

    bars, clock = slice(0, HEIGHT // 2), slice(HEIGHT * 5 // 6, HEIGHT)
    assert not np.array_equal(first[bars], later[bars])
    assert not np.array_equal(first[clock], later[clock])


def test_a_frame_the_caller_keeps_is_not_repainted_by_the_next(qapp: QApplication) -> None:
    pattern = patterns.TestPattern(lambda w, h, b: None)
    kept = pattern.render(SHOW_TIME)
    before = rgba.rgba_bytes(kept)

    pattern.render(SHOW_TIME + timedelta(seconds=1))

    assert rgba.rgba_bytes(kept) == before


def test_pattern_is_opaque_and_colourful(qapp: QApplication) -> None:
    frame = pixels(patterns.TestPattern(lambda w, h, b: None).render(SHOW_TIME))

    assert (frame[..., 3] == 255).all()
    assert len(np.unique(frame[..., :3].reshape(-1, 3), axis=0)) >= 8


def test_pattern_delivers_about_30_frames_a_second(qtbot: QtBot) -> None:
    frames: list[tuple[int, int, int]] = []
    pattern = patterns.TestPattern(lambda w, h, data: frames.append((w, h, len(data))))

    pattern.start()
    qtbot.wait(1000)
    pattern.stop()
    delivered = len(frames)
    qtbot.wait(100)

    assert 20 <= delivered <= 35
    assert len(frames) == delivered
    assert set(frames) == {(WIDTH, HEIGHT, WIDTH * HEIGHT * 4)}


def test_camera_frames_reach_the_sink_as_rgba(qapp: QApplication) -> None:
    frames: list[tuple[int, int, bytes]] = []
    video = QVideoSink()
    forwarder = cameras.FrameForwarder(lambda w, h, data: frames.append((w, h, data)))
    video.videoFrameChanged.connect(forwarder.forward)
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(0xFF102030)

    video.setVideoFrame(QVideoFrame(image))

    assert frames == [(64, 48, bytes([0x10, 0x20, 0x30, 0xFF]) * 64 * 48)]


def test_rgba_bytes_packs_padded_rows_and_converts_other_formats(qapp: QApplication) -> None:
    buffer = (bytes(range(12)) + b"PAD!") * 2  # QImage reads it in place: keep it alive
    padded = QImage(buffer, 3, 2, 16, QImage.Format.Format_RGBA8888)
    assert rgba.rgba_bytes(padded) == bytes(range(12)) * 2

    red = QImage(2, 2, QImage.Format.Format_RGB32)
    red.fill(0xFFFF0000)
    assert rgba.rgba_bytes(red) == bytes([255, 0, 0, 255]) * 4


# --- tone ----------------------------------------------------------------------------------------


def test_tone_chunks_are_10_ms_of_48_khz_mono_int16(qapp: QApplication) -> None:
    tone = sound.ToneSource(lambda pcm: None)

    assert {len(tone.chunk()) for _ in range(50)} == {960}


def test_tone_continues_the_wave_across_chunk_boundaries(qapp: QApplication) -> None:
    samples = tone_samples(sound.ToneSource(lambda pcm: None), 300)

    n = np.arange(len(samples))
    ideal = sound.TONE_PEAK * np.sin(2 * np.pi * 440 * n / 48000)
    assert np.abs(samples - ideal).max() <= 1
    largest_step_of_the_wave = 2 * sound.TONE_PEAK * np.sin(np.pi * 440 / 48000) + 1
    boundaries = np.arange(480, len(samples), 480)
    assert np.abs(samples[boundaries] - samples[boundaries - 1]).max() <= largest_step_of_the_wave


def test_tone_is_a_440_hz_sine_at_minus_20_dbfs(qapp: QApplication) -> None:
    samples = tone_samples(sound.ToneSource(lambda pcm: None), 100)

    rms_dbfs = 20 * np.log10(np.sqrt(np.mean(samples**2)) / 32768)
    assert rms_dbfs == pytest.approx(-20, abs=3)
    spectrum = np.abs(np.fft.rfft(samples))
    assert np.fft.rfftfreq(len(samples), 1 / 48000)[spectrum.argmax()] == 440


def test_tone_keeps_pace_with_wall_time(qtbot: QtBot) -> None:
    chunks: list[bytes] = []
    tone = sound.ToneSource(chunks.append)

    started = time.monotonic()
    tone.start()
    qtbot.wait(1000)
    tone.stop()
    expected = (time.monotonic() - started) * 100

    assert expected - 12 <= len(chunks) <= expected + 1
    assert {len(c) for c in chunks} == {960}


def test_pacer_catches_up_a_late_timer() -> None:
    pacer = pacing.Pacer(period_ns=10, max_burst=10)
    pacer.restart(1000)

    assert pacer.due(1005) == 0
    assert pacer.due(1035) == 3
    assert pacer.due(1036) == 0
    assert pacer.due(1040) == 1


def test_pacer_skips_what_is_older_than_a_burst_after_a_stall() -> None:
    pacer = pacing.Pacer(period_ns=10, max_burst=10)
    pacer.restart(0)

    assert pacer.due(500) == 10
    assert pacer.due(505) == 0
    assert pacer.due(510) == 1


# --- microphone and player buffers ---------------------------------------------------------------


def test_chunker_regroups_reads_into_960_byte_chunks() -> None:
    chunker = sound.PcmChunker(960)
    audio = bytes(range(256)) * 10

    out = chunker.feed(audio[:500]) + chunker.feed(audio[500:1000]) + chunker.feed(audio[1000:])

    assert out == [audio[:960], audio[960:1920]]
    chunker.clear()
    assert chunker.feed(b"x" * 960) == [b"x" * 960]


def test_backlog_drops_the_oldest_audio_beyond_its_cap() -> None:
    backlog = sound.PcmBacklog(max_bytes=8, frame_bytes=2)

    backlog.add(b"aabbccdd")
    backlog.add(b"eeff")

    assert len(backlog) == 8
    assert backlog.peek(100) == b"ccddeeff"


def test_backlog_hands_out_whole_frames_within_the_limit() -> None:
    backlog = sound.PcmBacklog(max_bytes=100, frame_bytes=4)
    backlog.add(b"0123456789ab")

    assert backlog.peek(7) == b"0123"
    backlog.consume(4)
    assert backlog.peek(100) == b"456789ab"


# --- devices on this machine ---------------------------------------------------------------------


def test_device_lists_are_lists_of_devices(qapp: QApplication) -> None:
    for devices in (device_list.video_inputs(), device_list.audio_inputs()):
        assert isinstance(devices, list)
        assert all(isinstance(d, device_list.Device) for d in devices)


def test_player_without_an_audio_output_reports_it_and_ignores_audio(qapp: QApplication) -> None:
    errors = Errors()
    player = sound.AudioPlayer(errors)

    started = player.start()
    player.write(b"\0" * 960)
    player.stop()

    if QMediaDevices.audioOutputs():  # a machine with sound: it plays
        assert started is True and errors == []
    else:  # CI and headless machines: a notice, not a crash
        assert started is False
        assert not player.available
        assert errors == [sound.NO_AUDIO_OUTPUT]


def test_player_ignores_audio_before_start(qapp: QApplication) -> None:
    player = sound.AudioPlayer(Errors())

    player.write(b"\0" * 960)

    assert not player.available


def test_camera_that_is_not_connected_is_reported(qapp: QApplication) -> None:
    errors = Errors()
    camera = cameras.CameraCapture("no-such-camera", lambda w, h, b: None, errors)

    assert camera.start() is False
    camera.stop()

    assert errors == ["The camera 'no-such-camera' is not connected"]


def test_microphone_that_is_not_connected_is_reported(qapp: QApplication) -> None:
    errors = Errors()
    microphone = sound.MicrophoneCapture("no-such-mic", lambda pcm: None, errors)

    assert microphone.start() is False
    microphone.stop()

    assert errors == ["The microphone 'no-such-mic' is not connected"]
