"""The host's window running a real show: bots in a real LiveKit room, the window offscreen."""

from __future__ import annotations

import asyncio
import sys
import time

from livekit import rtc
from PySide6.QtCore import QObject, Signal

from hostdesk.show.roles import Role
from tests.support.bots import Bot
from tests.support.desk_fixtures import (
    Desk,
    answer_invite,
    eventually,
    raise_hand,
    save_screenshot,
    select_hand,
    viewer,
)

ORANGE = (230, 120, 20)


async def _on_stage(desk: Desk, bot: Bot) -> None:
    """Invites `bot` from the hands panel; the bot accepts and publishes its camera."""
    select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    invite = await bot.wait_message("guest_invite")
    assert invite["targetParticipantId"] == bot.identity
    assert invite["senderId"] == desk.control.identity
    await answer_invite(desk, bot, accepted=True)
    await bot.wait_for(lambda: bot.room.local_participant.permissions.can_publish)
    await bot.publish_colour(ORANGE)


def _centre(desk: Desk) -> tuple[int, int, int]:
    view = desk.window.stage.guest_view
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def _close_to(actual: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - e) < 35 for a, e in zip(actual, expected, strict=True))


async def test_raised_hands_appear_in_order_and_leave_when_lowered(desk: Desk) -> None:
    await desk.go_live()
    first = await viewer(desk, "Sam First")
    second = await viewer(desk, "Ola Second")

    started = time.monotonic()
    await raise_hand(desk, first)
    await eventually(lambda: desk.hand_names() == ["Sam First"], 1.0, "the first hand")
    assert time.monotonic() - started < 1.0
    assert desk.queue_rows()[0].startswith("1. Sam First")

    await raise_hand(desk, second)
    await eventually(lambda: desk.hand_names() == ["Sam First", "Ola Second"], 1.0, "two hands")

    await raise_hand(desk, first, raised=False)
    await eventually(lambda: desk.hand_names() == ["Ola Second"], 1.0, "the hand lowered")
    assert desk.window.hands_model.rowCount() == 1


async def test_invited_viewer_comes_on_stage_and_their_video_is_painted(desk: Desk) -> None:
    await desk.go_live()
    bot = await viewer(desk, "Gus Guest")
    await raise_hand(desk, bot)
    await eventually(lambda: desk.hand_names() == ["Gus Guest"], 3, "the hand")

    await _on_stage(desk, bot)
    await eventually(lambda: desk.mirror.role_of(bot.identity) is Role.GUEST, 10, "promotion")
    await eventually(lambda: _close_to(_centre(desk), ORANGE), 15, "orange guest video")
    assert desk.window.stage.guest_view.name == "Gus Guest"
    assert desk.hand_names() == []  # promotion lowered the hand


async def test_demote_clears_the_tile_and_unpublishes_and_remove_disconnects(desk: Desk) -> None:
    await desk.go_live()
    bot = await viewer(desk, "Dee Demoted")
    await raise_hand(desk, bot)
    await eventually(lambda: desk.hand_names(), 3, "the hand")
    await _on_stage(desk, bot)
    await eventually(lambda: desk.window.stage.guest_view.has_video, 15, "guest video")

    desk.window.stage.guest_tiles[0].demote_button.click()
    await eventually(lambda: desk.mirror.role_of(bot.identity) is Role.VIEWER, 10, "demotion")
    await eventually(lambda: not desk.window.stage.guest_view.has_video, 10, "the tile cleared")
    await eventually(  # LiveKit unpublished the track: the host no longer receives it
        lambda: not desk.mirror.get(bot.identity).has_video, 10, "the track unpublished"
    )

    desk.window.ask_remove(bot.identity)
    await desk.accept_confirmation()
    await asyncio.wait_for(bot.disconnected.wait(), 10)
    await eventually(lambda: desk.mirror.get(bot.identity) is None, 10, "removal")


async def test_chat_goes_both_ways_and_a_forged_promotion_changes_nothing(desk: Desk) -> None:
    await desk.go_live()
    bot = await viewer(desk, "Cat Chatter")

    desk.window.chat.input.setText("<b>welcome</b>")
    desk.window.chat.send_button.click()
    received = await bot.wait_message("chat_message")
    assert received["message"] == "<b>welcome</b>"
    assert received["senderId"] == desk.control.identity

    now = int(time.time() * 1000)
    await bot.send(
        {
            "type": "chat_message",
            "senderId": "someone-else",
            "senderName": "Mallory",
            "timestamp": now,
            "message": "hello host",
        }
    )
    await eventually(lambda: any(line.text == "hello host" for line in desk.mirror.chat), 5)
    line = next(line for line in desk.mirror.chat if line.text == "hello host")
    assert (
        line.sender_id == bot.identity and line.sender_name == "Cat Chatter"
    )  # stamped, not forged

    await bot.send(
        {
            "type": "guest_promoted",
            "senderId": desk.control.identity,
            "senderName": "Jane Host",
            "timestamp": now,
            "targetParticipantId": bot.identity,
            "targetParticipantName": "Cat",
        }
    )
    await bot.send_raw(b"\xff not json")
    # One sender's reliable packets arrive in order: once this line is in the chat, the
    # forged promotion and the garbage before it have been handled.
    await bot.send(
        {
            "type": "chat_message",
            "senderId": bot.identity,
            "senderName": "Cat Chatter",
            "timestamp": now,
            "message": "after the forgery",
        }
    )
    await eventually(lambda: any(line.text == "after the forgery" for line in desk.mirror.chat), 5)
    assert desk.mirror.role_of(bot.identity) is Role.VIEWER
    assert desk.mirror.guests == []
    assert desk.window.stage.guest_view.name == ""


async def test_a_restarted_livekit_server_gives_back_the_same_guest_and_hands(
    desk: Desk, livekit_server: object
) -> None:
    await desk.go_live()
    guest = await viewer(desk, "Gia Guest")
    first = await viewer(desk, "Hal First")
    second = await viewer(desk, "Ivy Second")
    await raise_hand(desk, guest)
    await eventually(lambda: desk.hand_names() == ["Gia Guest"], 3)
    await _on_stage(desk, guest)
    await eventually(lambda: desk.mirror.role_of(guest.identity) is Role.GUEST, 10)
    await raise_hand(desk, first)
    await eventually(lambda: desk.hand_names() == ["Hal First"], 3)
    await raise_hand(desk, second)
    await eventually(lambda: desk.hand_names() == ["Hal First", "Ivy Second"], 3)

    states: list[str] = []
    desk.session.state_changed.connect(lambda state, _reason: states.append(state.value))
    await livekit_server.restart()  # type: ignore[attr-defined]
    await eventually(lambda: "reconnecting" in states, 10, "the reconnecting state")
    assert desk.window.banner.isVisible() and "Reconnecting" in desk.window.banner.text()

    # A server that drains in time tells everyone it shut down, and viewers' pages rejoin with
    # the tokens they hold (as the viewer page does); one killed mid-drain leaves the SDKs to
    # reconnect by themselves. Either way LiveKit has forgotten every role and hand.
    rejoined = [await _rejoin_if_dropped(desk, bot) for bot in (guest, first, second)]
    await eventually(lambda: desk.session.state.value == "live", 20, "live again")
    await eventually(
        lambda: (
            desk.mirror.role_of(guest.identity) is Role.GUEST
            and desk.hand_names() == ["Hal First", "Ivy Second"]
        ),
        20,
        "the guest and the hands restored",
        lambda: (
            f"roles {[(m.name, m.role) for m in desk.mirror.members.values()]}, "
            f"hands {desk.hand_names()}"
        ),
    )
    await rejoined[0].wait_for(lambda: rejoined[0].room.local_participant.permissions.can_publish)
    assert not desk.window.banner.isVisible()


async def _rejoin_if_dropped(desk: Desk, bot: Bot) -> Bot:
    try:
        await asyncio.wait_for(bot.disconnected.wait(), 8)
    except TimeoutError:
        return bot  # the SDK is reconnecting by itself
    return await desk.api.bot({"identity": bot.identity, "token": bot.token, "wsUrl": bot.url})


def test_pyside_signals_do_not_leak_references_to_true_and_none() -> None:
    """PySide6 6.12 dropped a reference to True/None per emit (STACK-NOTES); pin it."""

    class Emitter(QObject):
        fired = Signal(bool)

    emitter = Emitter()
    seen: list[bool] = []
    emitter.fired.connect(seen.append)
    before = (sys.getrefcount(True), sys.getrefcount(None))
    for _ in range(10_000):
        emitter.fired.emit(True)
    seen.clear()
    after = (sys.getrefcount(True), sys.getrefcount(None))
    assert abs(after[0] - before[0]) < 100 and abs(after[1] - before[1]) < 100


async def test_screenshot_of_a_live_show(desk: Desk) -> None:
    """Writes docs/screenshots/host-live.png: a guest on stage and two raised hands."""
    await desk.go_live()
    guest = await viewer(desk, "Gus Guest")
    await raise_hand(desk, guest)
    await eventually(lambda: desk.hand_names(), 3)
    await _on_stage(desk, guest)
    await eventually(lambda: desk.window.stage.guest_view.has_video, 15, "guest video")
    for name in ("Sam Viewer", "Ola Nordmann"):
        bot = await viewer(desk, name)
        await raise_hand(desk, bot)
    await viewer(desk, "Quiet Watcher")
    await eventually(lambda: len(desk.hand_names()) == 2, 5)
    desk.window.chat.input.setText("Welcome to the show!")
    desk.window.chat.send_button.click()
    await eventually(lambda: desk.window.chat_model.rowCount() == 1, 5, "the chat line shown")
    save_screenshot(desk, "host-live.png")
    assert _close_to(_centre(desk), ORANGE)


async def test_a_declined_or_unanswered_invitation_lapses_and_the_host_is_told(
    desk: Desk,
) -> None:
    await desk.go_live()
    shy = await viewer(desk, "Shy Sam")
    await raise_hand(desk, shy)
    await eventually(lambda: desk.hand_names() == ["Shy Sam"], 3)
    notices: list[str] = []
    desk.control.notice.connect(notices.append)

    select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    await shy.wait_message("guest_invite")
    await eventually(lambda: "invited" in _audience_row(desk), 5, "the row marked invited")
    await shy.send(
        {
            "type": "guest_invite_response",
            "senderId": shy.identity,
            "senderName": "Shy Sam",
            "timestamp": int(time.time() * 1000),
            "accepted": False,
        },
        to=[desk.control.identity],
    )
    await eventually(lambda: "Shy Sam declined the invitation" in notices, 5, "the decline")
    assert "invited" not in _audience_row(desk)
    assert desk.mirror.role_of(shy.identity) is Role.VIEWER

    desk.control.invitations.timeout = 0.5
    desk.window.hands.invite_button.click()
    await eventually(lambda: any("lapsed" in n for n in notices), 5, "the lapse")
    assert "invited" not in _audience_row(desk)
    assert "lapsed" in desk.window.statusBar().currentMessage()


def _audience_row(desk: Desk, row: int = 0) -> str:
    return str(desk.window.audience_model.index(row, 0).data())


async def test_shortcuts_invite_the_next_hand_and_toggle_the_microphone(desk: Desk) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    await desk.go_live()
    bot = await viewer(desk, "Quick Quinn")
    await raise_hand(desk, bot)
    await eventually(lambda: desk.hand_names() == ["Quick Quinn"], 3)
    desk.window.activateWindow()
    QTest.keyClick(desk.window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    await bot.wait_message("guest_invite")

    mic = desk.window.stage.mic_button
    assert mic.isChecked() and mic.text() == "Turn microphone off"
    QTest.keyClick(desk.window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert not mic.isChecked() and mic.text() == "Turn microphone on"
    assert not desk.window.stage.host_view.mic_on  # the host's tile says "MIC OFF"
    await bot.wait_for(
        lambda: any(
            p.muted
            for p in bot.remote(desk.control.identity).track_publications.values()
            if p.source == rtc.TrackSource.SOURCE_MICROPHONE
        ),
        10,
    )


async def test_the_host_mutes_the_guest_microphone(desk: Desk) -> None:
    await desk.go_live()
    bot = await viewer(desk, "Loud Lou")
    await raise_hand(desk, bot)
    await eventually(lambda: desk.hand_names(), 3)
    await _on_stage(desk, bot)
    source = rtc.AudioSource(48000, 1)
    track = rtc.LocalAudioTrack.create_audio_track("microphone", source)
    options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
    await bot.room.local_participant.publish_track(track, options)
    await eventually(lambda: not desk.mirror.get(bot.identity).mic_muted, 10, "the guest's mic")
    assert desk.window.stage.guest_view.mic_on

    desk.window.stage.guest_tiles[0].mute_button.click()
    await eventually(lambda: desk.mirror.get(bot.identity).mic_muted, 10, "the mic muted")
    assert not desk.window.stage.guest_view.mic_on
