"""The program's picture (hostdesk/ui/program_picture.py): each person's frame in their cell of
the program layout, letterboxed, a card for a picture that has none or that stopped, lower
thirds in the font the layout measured with; drawn on a paced thread into the sink as BGRA."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from hostdesk.show.program_layout import Person, Placed, Share, fit, program
from hostdesk.show.stage_layout import Cell
from hostdesk.ui.program_picture import ProgramPicture

W, H = 1280, 720
RED, GREEN, BLUE = (230, 30, 30), (30, 200, 60), (40, 60, 220)
CARD = (0x26, 0x2A, 0x33)  # the theme's panel_2
HOST = Person("host", "Hana Host")
GUEST = Person("guest", "Gus Guest", "What does a live show need most?")
GUEST_2 = Person("guest-2", "Greta Guest")


def frame(
    rgb: tuple[int, int, int], width: int = 320, height: int = 180, *, rgba: bool = False
) -> bytes:
    r, g, b = rgb
    return bytes([r, g, b, 255] if rgba else [b, g, r, 255]) * (width * height)


def rgb_of(out: bytes) -> np.ndarray:
    """The sink's BGRA bytes as an H x W x 3 array of R, G, B."""
    bgra = np.frombuffer(out, np.uint8).reshape(H, W, 4)
    return bgra[:, :, 2::-1].astype(int)


def inside(cell: Cell) -> tuple[int, int]:
    """A point in the cell's upper half: the picture, away from its lower third."""
    return cell.y + cell.height // 4, cell.x + cell.width // 2


def near(pixel: np.ndarray, rgb: tuple[int, int, int]) -> bool:
    return bool(np.abs(pixel - np.array(rgb)).max() <= 3)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def picture(qapp: object) -> Iterator[ProgramPicture]:
    made = ProgramPicture(W, H, 30, lambda _frame: None, clock=Clock())
    yield made
    made.stop()


def lay_out(
    picture: ProgramPicture, people: list[Person], shares: Sequence[Share] = ()
) -> list[Placed]:
    placed = program(W, H, people, shares, measure=picture.measure)
    picture.set_layout(placed)
    return placed


def test_a_red_host_and_a_green_guest_land_in_their_cells(picture: ProgramPicture) -> None:
    host, guest = lay_out(picture, [HOST, GUEST])
    picture.set_frame("host", False, 320, 180, frame(RED), "bgra")
    picture.set_frame("guest", False, 320, 180, memoryview(frame(GREEN)), "bgra")
    out = picture.compose()
    assert len(out) == W * H * 4
    assert near(rgb_of(out)[inside(host.cell)], RED)
    assert near(rgb_of(out)[inside(guest.cell)], GREEN)
    assert set(np.frombuffer(out, np.uint8)[3::4]) == {255}


def test_an_rgba_frame_keeps_its_colour(picture: ProgramPicture) -> None:
    (host,) = lay_out(picture, [HOST])
    picture.set_frame("host", False, 320, 180, frame(RED, rgba=True), "rgba")
    assert near(rgb_of(picture.compose())[inside(host.cell)], RED)


def test_a_4_by_3_picture_is_letterboxed_with_black_bars_at_the_sides(
    picture: ProgramPicture,
) -> None:
    (host,) = lay_out(picture, [HOST])
    picture.set_frame("host", False, 640, 480, frame(BLUE, 640, 480), "bgra")
    rgb = rgb_of(picture.compose())
    row, middle = inside(host.cell)
    bar = (host.cell.width - host.cell.height * 4 // 3) // 2
    assert near(rgb[row, host.cell.x + 2], (0, 0, 0))
    assert near(rgb[row, host.cell.x + host.cell.width - 3], (0, 0, 0))
    assert near(rgb[row, host.cell.x + bar + 4], BLUE)
    assert near(rgb[row, middle], BLUE)


def test_the_lower_third_is_light_text_on_a_dark_plate_and_nothing_is_drawn_outside_the_cells(
    picture: ProgramPicture,
) -> None:
    placed = lay_out(picture, [HOST, GUEST, GUEST_2])
    for item in placed:
        picture.set_frame(item.identity, False, 320, 180, frame(RED), "bgra")
    rgb = rgb_of(picture.compose())
    drawn = np.zeros((H, W), bool)
    for item in placed:
        c = item.cell
        drawn[c.y : c.y + c.height, c.x : c.x + c.width] = True
        assert item.lower_third is not None
        b = item.lower_third.box
        plate = rgb[b.y : b.y + b.height, b.x : b.x + b.width]
        light = (plate.min(axis=2) > 200).sum()
        dark = (plate.max(axis=2) < 90).sum()
        assert light > 50, "the name's pixels"
        assert dark > plate.shape[0] * plate.shape[1] // 2, "the plate over the red picture"
    assert rgb[~drawn].max() == 0


def test_a_long_name_is_cut_to_its_plate_in_the_font_it_was_measured_with(
    picture: ProgramPicture,
) -> None:
    long = Person("host", "Maximiliana Wolkenstein-Hohenberg " * 4, "And a question " * 9)
    host, *_ = lay_out(picture, [long, GUEST, GUEST_2])
    assert host.lower_third is not None and host.lower_third.name.text.endswith("…")
    rgb = rgb_of(picture.compose())
    b = host.lower_third.box
    light = rgb.min(axis=2) > 120
    light[b.y : b.y + b.height, b.x : b.x + b.width] = False
    c = host.cell
    assert not light[c.y : c.y + c.height, c.x : c.x + c.width].any()


def test_someone_without_frames_gets_the_card(picture: ProgramPicture) -> None:
    host, guest = lay_out(picture, [HOST, GUEST])
    picture.set_frame("host", False, 320, 180, frame(RED), "bgra")
    rgb = rgb_of(picture.compose())
    assert near(rgb[inside(guest.cell)], CARD)
    assert near(rgb[inside(host.cell)], RED)


def test_a_frame_older_than_two_seconds_becomes_the_card(qapp: object) -> None:
    clock = Clock()
    picture = ProgramPicture(W, H, 30, lambda _frame: None, clock=clock)
    (host,) = lay_out(picture, [HOST])
    picture.set_frame("host", False, 320, 180, frame(RED), "bgra")
    clock.now += 1.9
    assert near(rgb_of(picture.compose())[inside(host.cell)], RED)
    clock.now += 0.2
    assert near(rgb_of(picture.compose())[inside(host.cell)], CARD)


def test_forget_removes_a_picture(picture: ProgramPicture) -> None:
    host, guest = lay_out(picture, [HOST, GUEST])
    picture.set_frame("host", False, 320, 180, frame(RED), "bgra")
    picture.set_frame("guest", False, 320, 180, frame(GREEN), "bgra")
    picture.forget("guest", False)
    rgb = rgb_of(picture.compose())
    assert near(rgb[inside(guest.cell)], CARD)
    assert near(rgb[inside(host.cell)], RED)


def test_a_share_laid_out_large_shows_its_colour(picture: ProgramPicture) -> None:
    host, guest, share = lay_out(picture, [HOST, GUEST], [Share("guest")])
    assert share.share and share.cell.width > W // 2
    picture.set_frame("guest", True, 640, 400, frame(BLUE, 640, 400, rgba=True), "rgba")
    picture.set_frame("guest", False, 320, 180, frame(GREEN), "bgra")
    rgb = rgb_of(picture.compose())
    assert near(rgb[inside(share.cell)], BLUE)
    assert near(rgb[inside(guest.cell)], GREEN)
    assert near(rgb[inside(host.cell)], CARD)


def run(picture: ProgramPicture, seconds: float) -> None:
    picture.start()
    time.sleep(seconds)
    picture.stop()


def test_the_sink_gets_whole_frames_at_about_the_frame_rate(qapp: object) -> None:
    frames: list[bytes] = []
    picture = ProgramPicture(W, H, 30, frames.append)
    (host,) = lay_out(picture, [HOST])
    picture.set_frame("host", False, 320, 180, frame(RED), "bgra")
    run(picture, 1.0)
    assert 15 <= len(frames) <= 36
    assert {len(f) for f in frames} == {W * H * 4}
    assert near(rgb_of(frames[-1])[inside(host.cell)], RED)
    assert picture.stats.drawn == len(frames) and picture.stats.draw_ms_mean > 0


def test_a_sink_slower_than_the_frame_rate_skips_slots_and_counts_them_late(qapp: object) -> None:
    picture = ProgramPicture(W, H, 30, lambda _frame: time.sleep(0.1))
    run(picture, 0.6)
    assert 3 <= picture.stats.drawn <= 8
    assert picture.stats.late >= picture.stats.drawn


def test_the_layout_changed_from_another_thread_while_drawing_never_raises(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[object] = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    picture = ProgramPicture(W, H, 60, lambda _frame: None)
    layouts = [program(W, H, people, measure=picture.measure) for people in ([HOST], [HOST, GUEST])]

    def churn() -> None:
        for i in range(300):
            picture.set_layout(layouts[i % 2])
            picture.set_frame("guest", False, 320, 180, frame(GREEN), "bgra")
            picture.forget("guest", False)

    picture.start()
    changer = threading.Thread(target=churn)
    changer.start()
    changer.join()
    drawn = picture.stats.drawn
    time.sleep(0.2)
    assert picture.stats.drawn > drawn, "the drawing thread goes on"
    picture.stop()
    assert errors == []


def test_stop_joins_the_drawing_thread(qapp: object) -> None:
    picture = ProgramPicture(W, H, 30, lambda _frame: None)
    picture.start()
    assert "program-picture" in {t.name for t in threading.enumerate()}
    picture.stop()
    assert "program-picture" not in {t.name for t in threading.enumerate()}


@pytest.mark.parametrize(("width", "height"), [(640, 480), (180, 320)])  # 4:3, a phone upright
def test_a_picture_of_another_shape_carries_its_plate_on_itself_not_on_the_bars(
    picture: ProgramPicture, width: int, height: int
) -> None:
    host, _, guest = lay_out(picture, [HOST, GUEST, GUEST_2])
    picture.set_frame("host", False, 320, 180, frame(RED, rgba=True), "rgba")
    picture.set_frame("guest", False, 320, 180, frame(GREEN), "bgra")
    picture.set_frame("guest-2", False, width, height, frame(BLUE, width, height), "bgra")
    out = picture.compose()
    rgb = rgb_of(out)
    if width > height:  # the still in docs/screenshots
        target = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
        target.mkdir(parents=True, exist_ok=True)
        still = QImage(out, W, H, W * 4, QImage.Format.Format_RGB32)
        assert still.save(str(target / "program-720p-compositor.png"))
    shown = fit(width, height, guest.cell)
    c = guest.cell
    bars = np.concatenate(
        [
            rgb[c.y : c.y + c.height, c.x : shown.x].reshape(-1, 3),
            rgb[c.y : c.y + c.height, shown.x + shown.width : c.x + c.width].reshape(-1, 3),
        ]
    )
    assert bars.max() == 0, "the bars stay black: no plate, no name over them"
    picture_part = rgb[shown.y : shown.y + shown.height, shown.x : shown.x + shown.width]
    assert (picture_part.min(axis=2) > 200).sum() > 50, "the name is on the picture"
    assert near(rgb[inside(host.cell)], RED)
