"""The window as a studio, offscreen and without LiveKit: where it opens, one dark theme in the
page's colours, switches that say what a click does, the stage's tiles by layout, and each
member's level meter and speaking ring drawn from the audio the session hands over."""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from PySide6.QtCore import QMargins, QRect
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from hostdesk.resources import resource_path
from hostdesk.show.mirror import Left, MicrophoneChanged, Seen, StageSettingsChanged
from hostdesk.show.participants import Participant
from hostdesk.show.roles import Metadata, Role
from hostdesk.show.stage_clock import ON_STAGE_ATTRIBUTE, StageSettings
from hostdesk.ui import tile_overlay
from hostdesk.ui.dialogs import SettingsDialog, confirm
from hostdesk.ui.stage_panel import SPEAKER
from hostdesk.ui.theme import COLOURS
from hostdesk.ui.video_view import RGBA, VideoView
from hostdesk.ui.window_geometry import DECORATION, placement
from tests.support.desk_fixtures import Desk, idle_window, save_widget
from tests.support.fakes import FakeClock

LAPTOP = QRect(0, 0, 1366, 768 - 40)  # 1366x768 less a 40 px taskbar


@pytest_asyncio.fixture(loop_scope="session")
async def desk(qapp: QApplication, tmp_path: Path) -> AsyncIterator[Desk]:
    async with idle_window(tmp_path) as desk:
        yield desk


def _close(seen: QColor, expected: str, tolerance: int = 24) -> bool:
    want = QColor(expected)
    return all(
        abs(a - b) <= tolerance
        for a, b in zip(
            (seen.red(), seen.green(), seen.blue()),
            (want.red(), want.green(), want.blue()),
            strict=True,
        )
    )


def _guest(desk: Desk, identity: str, name: str) -> None:
    """A guest on stage with their microphone on, as the session reports one."""
    meta = Metadata(Role.GUEST, name).encode()
    desk.session.fact.emit(Seen(Participant(identity, name, metadata=meta), arrived=True))
    desk.session.fact.emit(MicrophoneChanged(identity, muted=False))


def _tone(peak: float) -> bytes:
    step = 2 * math.pi * 500 / 48000
    return array("h", (round(32767 * peak * math.sin(step * n)) for n in range(480))).tobytes()


# -- where it opens ------------------------------------------------------------------------


def test_on_a_laptop_the_window_and_its_frame_open_inside_the_area_above_the_taskbar() -> None:
    inner = placement(LAPTOP)
    assert LAPTOP.contains(inner.marginsAdded(DECORATION))
    assert inner.width() >= 1300 and inner.height() >= 680  # and it uses that room


def test_on_a_big_screen_the_window_takes_most_of_it_centred() -> None:
    screen = QRect(0, 0, 1920, 1080)
    inner = placement(screen)
    assert inner.size().width() == 1728 and inner.size().height() == 972
    assert inner.center().x() == pytest.approx(screen.center().x(), abs=4)


def test_a_frame_larger_than_guessed_is_kept_inside_too() -> None:
    frame = QMargins(6, 48, 6, 6)
    assert LAPTOP.contains(placement(LAPTOP, frame).marginsAdded(frame))


def test_the_whole_window_fits_a_laptop_above_its_taskbar(desk: Desk) -> None:
    # Every panel's minimum together, the bottom row (the chat's input, the host's switches)
    # included, fits the room the window gets at 1366x768 with a taskbar.
    room = placement(LAPTOP)
    minimum = desk.window.minimumSizeHint()
    assert minimum.width() <= room.width() and minimum.height() <= room.height()
    desk.window.waiting_bar.show_waiting("Waiting for LiveKit")
    desk.window.banner.show_message("Reconnecting to LiveKit", "warning")
    assert desk.window.minimumSizeHint().height() <= room.height()


# -- one dark theme ------------------------------------------------------------------------


def test_the_window_uses_the_viewer_pages_colours() -> None:
    css = (resource_path("viewer") / "viewer.css").read_text(encoding="utf-8")
    page = dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;", css))
    shared = {
        name: page[name.replace("_", "-")] for name in COLOURS if name.replace("_", "-") in page
    }
    assert {"bg", "panel", "panel_2", "line", "text", "muted", "accent", "live"} <= set(shared)
    assert {name: COLOURS[name] for name in shared} == shared


def test_the_window_and_its_dialogs_are_dark(desk: Desk) -> None:
    window = desk.window
    image = window.grab().toImage()
    assert _close(image.pixelColor(3, image.height() // 2), COLOURS["bg"], 4)
    box = confirm(window, "End the show?", "Everyone will be disconnected.", "End show")
    assert box.palette().color(QPalette.ColorRole.Window) == QColor(COLOURS["bg"])
    assert box.palette().color(QPalette.ColorRole.WindowText) == QColor(COLOURS["text"])
    for view in (window.hands.view, window.audience.view, window.chat.view):
        grabbed = view.grab().toImage()
        assert _close(
            grabbed.pixelColor(grabbed.width() // 2, grabbed.height() // 2), COLOURS["bg"], 4
        )
    box.deleteLater()


# -- switches say what a click does --------------------------------------------------------


def test_the_microphone_switch_names_its_action_and_the_tile_shows_mic_off(desk: Desk) -> None:
    stage = desk.window.stage
    host = stage.host_view
    host.set_caption("Jane Host", True, "")
    assert stage.mic_button.text() == "Turn microphone off"
    stage.mic_button.click()
    assert stage.mic_button.text() == "Turn microphone on"
    assert stage.mic_button.property("switched") == "off"
    assert not host.mic_on
    image = host.grab().toImage()
    assert _close(image.pixelColor(14, 14), COLOURS["live"])  # the red "MIC OFF" badge
    stage.mic_button.click()
    assert stage.mic_button.text() == "Turn microphone off" and host.mic_on
    image = host.grab().toImage()
    assert not _close(image.pixelColor(14, 14), COLOURS["live"])


def test_the_camera_switch_names_its_action_and_the_tile_says_camera_off(desk: Desk) -> None:
    stage = desk.window.stage
    host = stage.host_view
    host.set_caption("Jane Host", True, "")
    host.set_frame(64, 36, bytes([200, 40, 40, 255]) * (64 * 36), RGBA)
    assert stage.camera_button.text() == "Turn camera off"
    stage.camera_button.click()
    assert stage.camera_button.text() == "Turn camera on"
    image = host.grab().toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2 - 20)
    assert not _close(centre, "#c82828", 60)  # the picture gave way to "Camera off"
    stage.camera_button.click()
    image = host.grab().toImage()
    assert _close(image.pixelColor(image.width() // 2, image.height() // 2), "#c82828")


# -- the stage's tiles ---------------------------------------------------------------------


def test_the_host_and_three_guests_share_the_stage_in_a_grid_of_equal_tiles(desk: Desk) -> None:
    for n, name in enumerate(("Ann", "Bob", "Cy")):
        _guest(desk, f"guest-{n}", name)
    stage = desk.window.stage
    assert [t.identity for t in stage.guest_tiles] == ["guest-0", "guest-1", "guest-2"]
    tiles = [stage.host_tile, *stage.guest_tiles]
    sizes = {(t.width(), t.height()) for t in tiles}
    assert len(sizes) == 1
    picture = stage.host_view
    assert picture.width() / picture.height() == pytest.approx(16 / 9, abs=0.03)
    assert [t.title() for t in stage.guest_tiles] == ["Ann", "Bob", "Cy"]


def test_the_speaker_layout_shows_whoever_speaks_large(desk: Desk) -> None:
    for n, name in enumerate(("Ann", "Bob")):
        _guest(desk, f"guest-{n}", name)
    stage, levels = desk.window.stage, desk.window.stage_view.levels
    stage.speaker_button.click()
    assert stage.layout_mode == SPEAKER
    desk.session.guest_audio.emit("guest-1", _tone(0.2))
    levels.read()
    bob, ann = stage.guest_tiles[1], stage.guest_tiles[0]
    assert bob.width() > 2 * ann.width() and bob.width() > 2 * stage.host_tile.width()
    stage.grid_button.click()
    assert bob.width() == ann.width() == stage.host_tile.width()


# -- levels and speaking -------------------------------------------------------------------


def _meter_pixels(view: VideoView) -> tuple[QColor, QColor]:
    """The meter's colour near its bottom and near its top."""
    box = tile_overlay.meter_area(view.rect())
    image = view.grab().toImage()
    x = box.center().x()
    return image.pixelColor(x, box.bottom() - 4), image.pixelColor(x, box.top() + 4)


def test_a_guests_meter_rises_with_their_sound_rings_them_and_rests_with_silence(
    desk: Desk,
) -> None:
    _guest(desk, "guest-ann", "Ann")
    tile = desk.window.stage.guest_tiles[0]
    levels = desk.window.stage_view.levels
    clock = levels.clock = FakeClock()
    view = tile.view
    view.set_frame(64, 36, bytes([30, 30, 30, 255]) * (64 * 36), RGBA)
    for _ in range(3):
        desk.session.guest_audio.emit("guest-ann", _tone(0.2))  # -17 dBFS
    levels.read()
    assert view.level == pytest.approx((60 - 17) / 60, abs=0.02) and view.speaking
    bottom, top = _meter_pixels(view)
    assert _close(bottom, COLOURS["speaking"]) and not _close(top, COLOURS["speaking"])
    image = view.grab().toImage()
    assert _close(image.pixelColor(1, image.height() // 2), COLOURS["speaking"])  # the ring

    for _ in range(40):  # 1.3 s of silence, read at the window's pace
        desk.session.guest_audio.emit("guest-ann", bytes(960))
        clock.now += 0.033
        levels.read()
    assert view.level == 0.0 and not view.speaking
    bottom, _ = _meter_pixels(view)
    assert not _close(bottom, COLOURS["speaking"])
    image = view.grab().toImage()
    assert not _close(image.pixelColor(1, image.height() // 2), COLOURS["speaking"])


def test_the_hosts_meter_follows_their_microphone_and_stops_when_it_is_off(desk: Desk) -> None:
    stage, levels = desk.window.stage, desk.window.stage_view.levels
    stage.host_view.set_caption("Jane Host", True, "")
    levels.feed_host(_tone(0.1))
    levels.read()
    assert stage.host_view.level > 0.5
    stage.mic_button.click()  # off
    levels.feed_host(_tone(0.1))
    levels.clock = FakeClock()
    levels.clock.now = 1e9  # long after: the decay is done
    levels.read()
    assert stage.host_view.level == 0.0 and not stage.host_view.speaking


def test_livekit_naming_a_guest_among_its_active_speakers_rings_their_tile(desk: Desk) -> None:
    _guest(desk, "guest-ann", "Ann")
    view = desk.window.stage.guest_tiles[0].view
    desk.session.speakers_changed.emit(["guest-ann"])
    desk.window.stage_view.levels.read()
    assert view.speaking
    desk.session.speakers_changed.emit([])
    desk.window.stage_view.levels.read()
    assert not view.speaking


# -- settings --------------------------------------------------------------------------------


def test_a_stage_size_saved_in_settings_applies_at_once(desk: Desk) -> None:
    desk.window.open_settings()
    dialog = desk.window.findChild(SettingsDialog)
    dialog.stage_box.size_spin.setValue(3)
    dialog.stage_box.limit_spin.setValue(10)
    # Every row at its full height (a wrapped label once made the layout squeeze them).
    edits = (dialog.url_edit, dialog.host_edit, dialog.public_url_edit, dialog.tls_key_edit)
    assert {e.height() for e in edits} == {dialog.url_edit.minimumSizeHint().height()}
    save_widget(dialog, "host-settings-dialog.png")
    dialog.accept()
    assert desk.control.service.stage_size == 3
    assert desk.window.prefs_store.load().stage_size == 3


# -- the stage clock -------------------------------------------------------------------------

NOW_MS = 1_800_000_000_000


def _guest_since(desk: Desk, identity: str, name: str, seconds_ago: int) -> None:
    meta = Metadata(Role.GUEST, name).encode()
    attributes = {ON_STAGE_ATTRIBUTE: str(NOW_MS - seconds_ago * 1000)}
    guest = Participant(identity, name, metadata=meta, attributes=attributes)
    desk.session.fact.emit(Seen(guest, arrived=True))


def _limit(desk: Desk, seconds: int) -> None:
    desk.session.fact.emit(StageSettingsChanged(StageSettings(seconds)))


def test_a_guests_tile_shows_their_time_on_stage_and_the_limit(desk: Desk) -> None:
    clock = desk.window.stage_clock
    clock.clock_ms = lambda: NOW_MS
    _guest_since(desk, "guest-ann", "Ann", 65)
    view = desk.window.stage.guest_tiles[0].view
    assert (view.clock_text, view.clock_phase) == ("1:05", "on")
    _limit(desk, 30 * 60)
    assert (view.clock_text, view.clock_phase) == ("1:05 / 30:00", "on")
    assert not desk.window.time_up.isVisible()


def test_the_clock_turns_amber_in_the_last_minute_and_red_at_the_limit(desk: Desk) -> None:
    clock = desk.window.stage_clock
    clock.clock_ms = lambda: NOW_MS
    _guest_since(desk, "guest-ann", "Ann", 61)
    _limit(desk, 120)
    view = desk.window.stage.guest_tiles[0].view
    assert (view.clock_text, view.clock_phase) == ("1:01 / 2:00", "warning")
    image = view.grab().toImage()
    assert _close(image.pixelColor(view.width() - 14, 14), COLOURS["warn"])
    clock.clock_ms = lambda: NOW_MS + 59_000
    clock.refresh()
    assert (view.clock_text, view.clock_phase) == ("2:00 / 2:00", "over")
    image = view.grab().toImage()
    assert _close(image.pixelColor(view.width() - 14, 14), COLOURS["live"])


def test_at_the_limit_the_host_is_asked_once_and_only_send_back_sends_back(desk: Desk) -> None:
    sent_back: list[str] = []
    prompts = desk.window.time_up
    prompts.send_back.connect(sent_back.append)
    clock = desk.window.stage_clock
    clock.clock_ms = lambda: NOW_MS
    _guest_since(desk, "guest-ann", "Ann", 300)
    _guest_since(desk, "guest-bob", "Bob", 100)
    _limit(desk, 120)
    assert prompts.isVisible() and list(prompts.bars) == ["guest-ann"]
    assert prompts.bars["guest-ann"].label.text() == (
        "Ann's time is up — send them back to the audience?"
    )
    prompts.bars["guest-ann"].keep_button.click()
    clock.refresh()
    assert not prompts.bars and not prompts.isVisible()  # Keep: not asked again this stay
    assert sent_back == []
    assert desk.mirror.role_of("guest-ann") is Role.GUEST  # nothing happened to her

    clock.clock_ms = lambda: NOW_MS + 20_000
    clock.refresh()
    assert list(prompts.bars) == ["guest-bob"]
    prompts.bars["guest-bob"].send_back_button.click()
    assert sent_back == ["guest-bob"] and not prompts.bars


def test_a_question_left_unanswered_goes_when_the_guest_leaves_the_stage(desk: Desk) -> None:
    clock = desk.window.stage_clock
    clock.clock_ms = lambda: NOW_MS
    _guest_since(desk, "guest-ann", "Ann", 300)
    _limit(desk, 120)
    assert list(desk.window.time_up.bars) == ["guest-ann"]
    desk.session.fact.emit(Left("guest-ann"))
    assert not desk.window.time_up.bars and not desk.window.time_up.isVisible()


def test_a_tile_too_narrow_for_its_name_in_the_bar_shows_it_on_the_picture(desk: Desk) -> None:
    for n, name in enumerate(("Ann", "Bob")):
        _guest(desk, f"guest-{n}", name)
    stage = desk.window.stage
    ann = stage.guest_tiles[0]
    assert ann.name_label.isVisible() and not ann.view.name_on_picture
    stage.set_layout(SPEAKER)
    stage.set_focus_tile(stage.guest_tiles[1])
    assert ann.width() < 270
    assert not ann.name_label.isVisible() and ann.view.name_on_picture
    assert ann.demote_button.isVisible()  # the buttons stay
