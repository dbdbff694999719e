"""The program streamed to a real RTMP server (nginx with its RTMP module) and read back from
what the server recorded."""

from __future__ import annotations

import logging
import threading

import pytest

from hostdesk.program import Destination, OutputState, ProgramEncoder
from tests.program.media import (
    COLOUR,
    FPS,
    TONE_HZ,
    H,
    Tone,
    W,
    feed,
    near,
    read_back,
    solid_rgba,
    wait_for,
)
from tests.support.rtmp_fixtures import NewRtmpServer

pytestmark = pytest.mark.integration


def test_program_streamed_to_rtmp_reads_back_at_its_size_rate_colour_and_tone(
    rtmp_servers: NewRtmpServer,
) -> None:
    server = rtmp_servers()
    server.start()
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    destination = Destination("nginx", server.url, "show-key")
    encoder.add_output(destination)
    wait_for(lambda: destination.status.state is OutputState.LIVE, 10, "the destination live")
    feed(encoder, 4.0, solid_rgba(COLOUR), Tone())
    assert destination.status.bitrate > 0
    encoder.stop()

    (recorded,) = server.recordings("show-key")
    got = read_back(recorded)
    assert (got.width, got.height) == (1280, 720)
    assert 29 <= got.fps <= 31, got
    assert got.duration >= 3.5, got
    assert got.frames >= encoder.stats.encoded - 2, (got, encoder.stats)  # all went out
    assert near(got.centre, COLOUR), got
    assert abs(got.peak_hz - TONE_HZ) < 5, got


def test_a_second_destination_keeps_streaming_while_the_first_server_restarts(
    rtmp_servers: NewRtmpServer,
) -> None:
    first, second = rtmp_servers(), rtmp_servers()
    first.start()
    second.start()
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    one = Destination("first", first.url, "key-one")
    two = Destination("second", second.url, "key-two")
    encoder.add_output(one)
    encoder.add_output(two)
    wait_for(lambda: one.status.state is two.status.state is OutputState.LIVE, 10, "both live")

    stop_feeding = threading.Event()
    feeder = threading.Thread(
        target=feed, args=(encoder, 60.0, solid_rgba(COLOUR), Tone(), stop_feeding)
    )
    feeder.start()
    try:
        wait_for(lambda: two.status.bytes_written > 0, 5, "the second destination writing")
        first.stop()
        wait_for(lambda: one.status.state is OutputState.RETRYING, 10, "the first retrying")
        written = two.status.bytes_written
        wait_for(lambda: two.status.bytes_written > written + 20_000, 5, "the second writing on")
        assert two.status.state is OutputState.LIVE
        first.start()
        wait_for(lambda: one.status.state is OutputState.LIVE, 20, "the first live again")
        resumed = one.status.bytes_written
        wait_for(lambda: one.status.bytes_written > resumed + 20_000, 5, "the first writing")
    finally:
        stop_feeding.set()
        feeder.join()
        encoder.stop()

    (whole,) = second.recordings("key-two")  # one publish from start to end: never dropped
    # Two publishes: before the stop (nginx's fast shutdown loses what it had buffered of that
    # recording) and after the restart.
    _, after = first.recordings("key-one")
    whole_got, after_got = read_back(whole), read_back(after)
    assert whole_got.duration > after_got.duration + 2.0  # the outage and what came before
    assert after_got.frames >= FPS // 2
    assert near(after_got.centre, COLOUR)


def test_a_refused_stream_key_is_said_and_retried_and_never_shown(
    rtmp_servers: NewRtmpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = rtmp_servers(accepted_key="the-right-key")
    server.start()
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    wrong = Destination("Twitch", server.url, "wrong-key-5ecret", backoff=(0.5,))
    right = Destination("YouTube", server.url, "the-right-key")
    encoder.add_output(wrong)
    encoder.add_output(right)
    try:
        feed(encoder, 2.5, solid_rgba(COLOUR), Tone())
        wait_for(lambda: right.status.state is OutputState.LIVE, 5, "the right key live")
    finally:
        encoder.stop()
    assert wrong.status.error == "Twitch: the server refused the stream key"
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) >= 2, "a refused destination is tried again"
    assert all("5ecret" not in r.getMessage() for r in caplog.records)
    assert right.status.bytes_written > 0
    assert server.recordings("the-right-key") and not server.recordings("wrong-key-5ecret")


def test_rtmps_to_a_server_without_tls_is_said_within_seconds(
    rtmp_servers: NewRtmpServer,
) -> None:
    server = rtmp_servers()
    server.start()
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    url = server.url.replace("rtmp://", "rtmps://")
    destination = Destination("Facebook", url, "the-key", connect_timeout=2.0)
    encoder.add_output(destination)
    try:
        wait_for(lambda: destination.status.error is not None, 5, "an error")
    finally:
        encoder.stop(timeout=5)
    assert destination.status.error == (
        f"Facebook: 127.0.0.1:{server.port} does not speak TLS (rtmps://); is it rtmp://?"
    )


def test_the_program_streams_over_rtmps_to_a_server_whose_certificate_is_trusted(
    rtmp_servers: NewRtmpServer,
) -> None:
    server = rtmp_servers(tls=True)
    server.start()
    assert server.certificate is not None
    encoder = ProgramEncoder(W, H, FPS)
    encoder.start()
    trusted = Destination(
        "YouTube", server.tls_url, "tls-key", cafile=str(server.certificate.cert_path)
    )
    untrusted = Destination("Elsewhere", server.tls_url, "other-key")
    encoder.add_output(trusted)
    encoder.add_output(untrusted)
    try:
        wait_for(lambda: trusted.status.state is OutputState.LIVE, 10, "rtmps live")
        feed(encoder, 3.0, solid_rgba(COLOUR), Tone())
    finally:
        encoder.stop()

    assert untrusted.status.error is not None
    assert untrusted.status.error.startswith(
        f"Elsewhere: 127.0.0.1:{server.tls_port} has a certificate this computer does not trust"
    )
    assert not server.recordings("other-key")
    (recorded,) = server.recordings("tls-key")
    got = read_back(recorded)
    assert (got.width, got.height) == (1280, 720)
    assert got.duration >= 2.5, got
    assert near(got.centre, COLOUR), got
    assert abs(got.peak_hz - TONE_HZ) < 5, got
