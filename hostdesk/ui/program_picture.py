"""The program's picture: the stage composed with its lower thirds, drawn on a thread of its own.

Frames arrive on the loop (BGRA from LiveKit, RGBA from the host's capture) and are only kept
referenced there; the drawing thread wraps them in QImages without copying, letterboxes each
into its cell of `hostdesk.show.program_layout` (or draws a card for a picture that has none, or
that stopped), draws the lower thirds in the font `measure` measures with, and hands the frame
to the sink as BGRA bytes (QImage's RGB32 on little-endian machines).

The thread is paced: frame n is drawn at t0 + n/fps and the thread sleeps until then. PySide6
releases the GIL in each call, but a thread that draws back to back takes it back after every
call and starves the loop's thread (its 1 ms sleeps came back 100+ ms late); paced, the loop
keeps its time. A thread behind skips to the current slot and counts the slots it missed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter

from hostdesk.show.program_layout import LowerThird, Person, Placed, Text, fit, lower_third
from hostdesk.show.stage_layout import Cell
from hostdesk.ui.theme import COLOURS
from hostdesk.ui.video_view import BGRA, RGBA

log = logging.getLogger("hostdesk.ui")

_FORMATS = {"bgra": BGRA, "rgba": RGBA}
#: A picture whose last frame is older than this is a camera that stopped: a card instead.
STALE_S = 2.0
#: Plates laid out for pictures of another shape than their cells, kept for the next frames.
THIRDS_KEPT = 64
FONT_FAMILY = "DejaVu Sans"
_BACKGROUND = QColor(0, 0, 0)
_CARD = QColor(COLOURS["panel_2"])
_PLATE = QColor(20, 22, 27, 200)
_NAME = QColor("#ffffff")
_QUESTION = QColor(COLOURS["muted"])


@dataclass(frozen=True)
class PictureStats:
    drawn: int  # frames sent to the sink
    late: int  # frame slots skipped because drawing was behind
    draw_ms_mean: float


class _Frame(NamedTuple):
    data: bytes | memoryview  # referenced until no snapshot holds it
    width: int
    height: int
    fmt: QImage.Format
    at: float


_Key = tuple[str, bool]


class _Fonts(threading.local):
    """The program's font at each pixel size, per thread: a QFont is not shared across threads.
    Bold for the name and the question alike, so that one `measure` fits both."""

    def __init__(self) -> None:
        self.device = QImage(1, 1, QImage.Format.Format_RGB32)  # metrics of the drawing's device
        self.by_px: dict[int, tuple[QFont, QFontMetricsF]] = {}

    def get(self, font_px: int) -> tuple[QFont, QFontMetricsF]:
        found = self.by_px.get(font_px)
        if found is None:
            font = QFont(FONT_FAMILY)
            font.setStyleHint(QFont.StyleHint.SansSerif)
            font.setPixelSize(max(1, font_px))
            font.setBold(True)
            found = self.by_px[font_px] = (font, QFontMetricsF(font, self.device))
        return found


class ProgramPicture:
    def __init__(
        self,
        width: int,
        height: int,
        fps: int,
        sink: Callable[[bytes], None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.width, self.height, self.fps = width, height, fps
        self._sink = sink
        self._clock = clock
        self._fonts = _Fonts()
        self._lock = threading.Lock()
        self._thirds: dict[tuple[Person, Cell], LowerThird] = {}  # the drawing thread's
        self._placed: tuple[Placed, ...] = ()
        self._frames: dict[_Key, _Frame] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = self._late = 0
        self._draw_s = 0.0

    def measure(self, text: str, font_px: int) -> float:
        return self._fonts.get(font_px)[1].horizontalAdvance(text)

    def set_layout(self, placed: Sequence[Placed]) -> None:
        with self._lock:
            self._placed = tuple(placed)

    def set_frame(
        self,
        identity: str,
        share: bool,
        width: int,
        height: int,
        data: bytes | memoryview,
        pixel_format: str,
    ) -> None:
        frame = _Frame(data, width, height, _FORMATS[pixel_format], self._clock())
        with self._lock:
            self._frames[(identity, share)] = frame

    def forget(self, identity: str, share: bool) -> None:
        with self._lock:
            self._frames.pop((identity, share), None)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="program-picture", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def stats(self) -> PictureStats:
        drawn = self._drawn
        return PictureStats(drawn, self._late, self._draw_s * 1000 / drawn if drawn else 0.0)

    def compose(self) -> bytes:
        """One frame of the current layout and frames, drawn now on the caller's thread (the
        drawing thread's step; tests and stills call it too)."""
        with self._lock:
            placed, frames = self._placed, dict(self._frames)
        now = self._clock()
        target = QImage(self.width, self.height, QImage.Format.Format_RGB32)
        target.fill(_BACKGROUND)
        painter = QPainter(target)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        for item in placed:
            shown = _draw_picture(painter, item.cell, frames.get((item.identity, item.share)), now)
            third = self._third_on(item, shown)
            if third is not None:
                self._draw_lower_third(painter, third)
        painter.end()
        return bytes(target.constBits())

    def _run(self) -> None:
        period = 1 / self.fps
        t0 = self._clock()
        slot = 0
        while not self._stop.is_set():
            wait = t0 + slot * period - self._clock()
            if wait > 0:  # at most a period: a clock that stands still never blocks stop()
                self._stop.wait(min(wait, period))
                continue
            behind = int((self._clock() - t0) / period) - slot
            if behind > 0:
                self._late += behind
                slot += behind
            self._step()
            slot += 1

    def _step(self) -> None:
        started = time.perf_counter()
        frame = self.compose()
        self._draw_s += time.perf_counter() - started
        try:
            self._sink(frame)
        except Exception:  # a broken consumer must not stop the picture
            log.exception("the program's picture sink failed")
        self._drawn += 1

    def _third_on(self, item: Placed, shown: Cell) -> LowerThird | None:
        """The plate on the picture as shown: a picture of another shape than its cell (a
        phone held upright, a 4:3 camera) gets its plate laid out on it, not on the bars."""
        if item.person is None or shown == item.cell:
            return item.lower_third
        key = (item.person, shown)
        third = self._thirds.get(key)
        if third is None:
            if len(self._thirds) > THIRDS_KEPT:
                self._thirds.clear()
            third = self._thirds[key] = lower_third(item.person, shown, self.height, self.measure)
        return third

    def _draw_lower_third(self, painter: QPainter, third: LowerThird) -> None:
        box = third.box
        painter.fillRect(QRectF(box.x, box.y, box.width, box.height), _PLATE)
        self._draw_text(painter, third.name, _NAME)
        if third.question is not None:
            self._draw_text(painter, third.question, _QUESTION)

    def _draw_text(self, painter: QPainter, text: Text, colour: QColor) -> None:
        font, metrics = self._fonts.get(text.font_px)
        # The layout gives each line font_px of height: ascent and descent share it as they
        # share the font's own line, so the text sits centred on its line.
        baseline = text.y + text.font_px * metrics.ascent() / (metrics.ascent() + metrics.descent())
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(QPointF(text.x, baseline), text.text)


def _draw_picture(painter: QPainter, cell: Cell, frame: _Frame | None, now: float) -> Cell:
    """Draws the frame letterboxed in its cell (or the card); returns where the picture is."""
    image = _image(frame, now)
    if image is None:
        painter.fillRect(QRectF(cell.x, cell.y, cell.width, cell.height), _CARD)
        return cell
    area = fit(image.width(), image.height(), cell)
    painter.drawImage(QRectF(area.x, area.y, area.width, area.height), image)
    return area


def _image(frame: _Frame | None, now: float) -> QImage | None:
    """The frame wrapped in place, or None for no frame, a stale one or a short buffer."""
    if frame is None or now - frame.at > STALE_S or frame.width <= 0 or frame.height <= 0:
        return None
    if memoryview(frame.data).nbytes < frame.width * frame.height * 4:
        return None
    return QImage(frame.data, frame.width, frame.height, frame.width * 4, frame.fmt)
