"""The program recorded to a fragmented MP4 file on the host's disk.

The moov box is written first and empty, and each keyframe (every 2 s) or each second,
whichever comes first, starts a fragment (moof + mdat) that goes to disk as soon as it is
complete: a process killed mid-show, or a disk that fills, leaves a file that plays up to its
last whole fragment, a second or so before the end.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import av
from av.container import OutputContainer

from hostdesk.program.outputs import MuxingOutput, OutputState, SessionError

log = logging.getLogger("hostdesk.program")

MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
OPTIONS = {
    "movflags": MOVFLAGS,
    "frag_duration": "1000000",  # µs
    # Each fragment is written out whole: FFmpeg's 32 KB write buffer would otherwise keep a
    # quiet picture's fragments in memory, where a kill loses them.
    "flush_packets": "1",
}


class Recording(MuxingOutput):
    """One file, written once: an error fails the recording (the file so far stays
    playable) and the other outputs carry on."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        super().__init__(str(self.path))

    def _open_container(self) -> OutputContainer:
        return av.open(str(self.path), "w", format="mp4", options=OPTIONS)

    def _describe(self, exc: Exception, *, opening: bool) -> SessionError:
        return SessionError(file_error(self.path, exc), retry=False)

    def _run(self) -> None:
        try:
            self._session()
        except SessionError as exc:
            log.warning("recording failed: %s", exc.message)
            self._set_state(OutputState.FAILED, exc.message)
            return
        self._set_state(OutputState.STOPPED)


def file_error(path: Path, exc: Exception) -> str:
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write to {path}: the disk is full"
    if isinstance(code, int) and code > 0:
        return f"cannot write to {path}: {os.strerror(code).lower()}"
    return f"cannot write to {path}: {type(exc).__name__}"
