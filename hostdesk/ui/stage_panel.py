"""The stage: the host's tile, one per guest and one per screen share, placed by the chosen
layout (a grid, or the active speaker large; a share large whatever the layout), and the host's
own controls under it. It lays out and forwards; who is
on which tile and who is focused is decided by hostdesk.ui.stage_view."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hostdesk.show import stage_layout
from hostdesk.ui.stage_tile import BAR_HEIGHT, GuestTile, HostTile, ShareTile, StageTile
from hostdesk.ui.theme import set_style_property
from hostdesk.ui.video_view import VideoView

GRID = "grid"
SPEAKER = "speaker"
#: What the host's switches say: what a click does, never the state it is in.
MIC_TEXT = {True: "Turn microphone off", False: "Turn microphone on"}
CAMERA_TEXT = {True: "Turn camera off", False: "Turn camera on"}
SHARE_TEXT = {True: "Stop sharing", False: "Share screen"}


class StageArea(QWidget):
    """Places its tiles by `stage_layout` whenever its size, its tiles or the focus change.
    `tiles`: the cameras (the host's, then the guests'), then the shares, oldest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stage-area")
        self.tiles: list[StageTile] = []
        self.mode = GRID
        self.focused: StageTile | None = None

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(320, 200)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(960, 600)

    @property
    def shares(self) -> list[ShareTile]:
        return [tile for tile in self.tiles if isinstance(tile, ShareTile)]

    def add(self, tile: StageTile) -> None:
        """A camera goes before the shares, a share after everything (the newest last)."""
        shares = self.shares
        at = self.tiles.index(shares[0]) if shares and not isinstance(tile, ShareTile) else None
        self.tiles.insert(len(self.tiles) if at is None else at, tile)
        self.arrange()

    def arrange(self) -> None:
        count, width, height = len(self.tiles), self.width(), self.height()
        focused = self.tiles.index(self.focused) if self.focused in self.tiles else -1
        cells = stage_layout.stage(
            count,
            width,
            height,
            bar=BAR_HEIGHT,
            share=count - 1 if self.shares else -1,
            speaker=focused if self.mode == SPEAKER else -1,
        )
        for tile, cell in zip(self.tiles, cells, strict=True):
            tile.setGeometry(cell.x, cell.y, cell.width, cell.height)
            tile.show()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.arrange()


class StagePanel(QWidget):
    """The host's preview, one tile per guest (one, empty, when nobody is on stage), the
    host's microphone and camera switches and the choice of layout."""

    mic_toggled = Signal(bool)
    share_toggled = Signal(bool)
    camera_toggled = Signal(bool)
    layout_chosen = Signal(str)
    demote_clicked = Signal(str)
    remove_guest_clicked = Signal(str)
    mute_guest_clicked = Signal(str)
    #: a share tile's stop button: the sharer's identity ("" for the host's own share)
    stop_share_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.area = StageArea()
        self.host_tile = HostTile(self.area)
        self.area.tiles.append(self.host_tile)
        self.guest_tiles: list[GuestTile] = []
        self.mic_button = QPushButton(MIC_TEXT[True])
        self.camera_button = QPushButton(CAMERA_TEXT[True])
        for button in (self.mic_button, self.camera_button):
            button.setCheckable(True)
            button.setChecked(True)
        self.share_button = QPushButton(SHARE_TEXT[False])
        self.share_button.setCheckable(True)
        self.share_button.toggled.connect(self._share)
        self.grid_button = QPushButton("Grid")
        self.speaker_button = QPushButton("Speaker")
        self.grid_button.setToolTip("Everyone on stage the same size")
        self.speaker_button.setToolTip("Whoever speaks large, the others beside")
        self._layouts = QButtonGroup(self)
        for button, mode in ((self.grid_button, GRID), (self.speaker_button, SPEAKER)):
            button.setCheckable(True)
            button.setProperty("segment", True)
            self._layouts.addButton(button)
            button.clicked.connect(lambda _checked=False, mode=mode: self._layout(mode))
        self.grid_button.setChecked(True)

        controls = QFrame()
        controls.setObjectName("stage-controls")
        row = QHBoxLayout(controls)
        row.setContentsMargins(8, 6, 8, 6)
        row.addWidget(self.mic_button)
        row.addWidget(self.camera_button)
        row.addWidget(self.share_button)
        row.addStretch(1)
        layout_label = QLabel("Layout")
        layout_label.setObjectName("muted")
        row.addWidget(layout_label)
        row.addWidget(self.grid_button)
        row.addWidget(self.speaker_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area, 1)
        layout.addWidget(controls)

        self.mic_button.toggled.connect(self._mic)
        self.camera_button.toggled.connect(self._camera)
        self.add_guest_tile()

    @property
    def host_view(self) -> VideoView:
        return self.host_tile.view

    @property
    def guest_view(self) -> VideoView:
        """The first guest's video (the only one on a stage of one)."""
        return self.guest_tiles[0].view

    @property
    def layout_mode(self) -> str:
        return self.area.mode

    def add_guest_tile(self) -> GuestTile:
        tile = GuestTile(self.area)
        tile.mute_clicked.connect(self.mute_guest_clicked)
        tile.demote_clicked.connect(self.demote_clicked)
        tile.remove_clicked.connect(self.remove_guest_clicked)
        self.guest_tiles.append(tile)
        self.area.add(tile)
        return tile

    @property
    def share_tiles(self) -> list[ShareTile]:
        """The shares on stage, oldest first (the newest is the large one)."""
        return self.area.shares

    def add_share_tile(self, identity: str, title: str) -> ShareTile:
        """A tile for a share (`identity` "" for the host's own), shown large from now on."""
        tile = ShareTile(identity, title, self.area)
        tile.stop_clicked.connect(self.stop_share_clicked)
        self.area.add(tile)
        return tile

    def remove_share_tile(self, tile: ShareTile) -> None:
        """The share has ended: the chosen layout comes back when it was the last one."""
        if tile in self.area.tiles:
            self.area.tiles.remove(tile)
            tile.hide()
            tile.deleteLater()
            self.area.arrange()

    def drop_empty_tiles(self) -> None:
        """Removes the tiles nobody holds, keeping one: the stage never shows a row of blanks."""
        kept = [tile for tile in self.guest_tiles if tile.identity] or self.guest_tiles[:1]
        if len(kept) == len(self.guest_tiles):
            return
        for tile in self.guest_tiles:
            if tile not in kept:
                self.area.tiles.remove(tile)
                tile.hide()
                tile.deleteLater()
        self.guest_tiles = kept
        self.area.arrange()

    def tile_of(self, identity: str) -> GuestTile | None:
        """The tile of a guest on stage."""
        return next((t for t in self.guest_tiles if identity and t.identity == identity), None)

    def set_layout(self, mode: str) -> None:
        (self.speaker_button if mode == SPEAKER else self.grid_button).setChecked(True)
        if mode != self.area.mode:
            self.area.mode = mode
            self.area.arrange()

    def set_focus_tile(self, tile: StageTile | None) -> None:
        """The tile the speaker layout shows large."""
        if tile is not self.area.focused:
            self.area.focused = tile
            if self.area.mode == SPEAKER and not self.area.shares:
                self.area.arrange()

    def _layout(self, mode: str) -> None:
        self.set_layout(mode)
        self.layout_chosen.emit(mode)

    def _mic(self, on: bool) -> None:
        self.mic_button.setText(MIC_TEXT[on])
        set_style_property(self.mic_button, "switched", "on" if on else "off")
        self.mic_toggled.emit(on)

    def _share(self, on: bool) -> None:
        self.share_button.setText(SHARE_TEXT[on])
        self.share_toggled.emit(on)

    def _camera(self, on: bool) -> None:
        self.camera_button.setText(CAMERA_TEXT[on])
        set_style_property(self.camera_button, "switched", "on" if on else "off")
        self.host_view.set_camera_off(not on)
        self.camera_toggled.emit(on)
