"""The program's sound: the host's and the guests' microphones mixed into one stereo stream.

Each member's sound comes in 10 ms chunks of 48 kHz mono signed 16-bit PCM (what the host's
LiveKit session reads); the caller asks for one mixed chunk every 10 ms (`tick`) on its own
fixed cadence, and the mix never waits: a member with no chunk for that tick is silent in it.
A member's sound starts once a few chunks are queued (`PREFILL`, 40 ms), so the bursts the
loop hands chunks over in play smoothly instead of as holes and skips.
Each member has a level (gain 0..2) and a mute for the mix alone (the room hears them as they
are). Only the members the caller names (`set_members`: the host and the guests, never anyone
backstage) are mixed; anyone else's chunks are dropped as they come.

The sum is taken in 32-bit floats and clipped to 16 bits, so two members at full scale clip
instead of wrapping around. Chunks come from the session's side and ticks from the encoder's
thread: a lock keeps each step whole.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 48_000
#: Samples in one 10 ms chunk of one channel.
CHUNK_SAMPLES = SAMPLE_RATE // 100
CHANNELS = 2
GAIN_MAX = 2.0
#: Chunks a member's sound waits for before it plays (and again after it ran dry): the session
#: hands chunks over on the loop, in bursts when the loop or the network was held up, and a
#: member without a chunk at a tick is a hole in their voice, while chunks dropped when a burst
#: overflows the queue are worse: the voice skips ahead (a tone plays sharp).
PREFILL = 4
#: Chunks a member may be ahead of the ticks before the oldest are dropped: more would only add
#: delay (a sender whose clock runs fast is trimmed here).
BACKLOG = 20
_INT16_MIN, _INT16_MAX = -32768, 32767


class ProgramMix:
    def __init__(self, *, prefill: int = PREFILL, backlog: int = BACKLOG) -> None:
        self._prefill, self._backlog = prefill, backlog
        self._playing: set[str] = set()
        self._lock = threading.Lock()
        self._members: set[str] = set()
        self._queues: dict[str, deque[npt.NDArray[np.int16]]] = {}
        self._gains: dict[str, float] = {}
        self._muted: set[str] = set()

    def set_members(self, identities: Iterable[str]) -> None:
        """Who is in the mix from now on; a member who leaves it takes their queued sound
        along. Levels and mutes are kept for a member who comes back."""
        with self._lock:
            self._members = set(identities)
            for identity in list(self._queues):
                if identity not in self._members:
                    del self._queues[identity]
                    self._playing.discard(identity)

    def set_level(self, identity: str, gain: float) -> None:
        """A member's level in the mix, 0 (silent) to 2 (+6 dB); 1 is as they are."""
        if not 0.0 <= gain <= GAIN_MAX:
            raise ValueError(f"a level is 0 to {GAIN_MAX:g}, not {gain}")
        with self._lock:
            self._gains[identity] = gain

    def level(self, identity: str) -> float:
        return self._gains.get(identity, 1.0)

    def set_muted(self, identity: str, muted: bool) -> None:
        with self._lock:
            if muted:
                self._muted.add(identity)
            else:
                self._muted.discard(identity)

    def muted(self, identity: str) -> bool:
        return identity in self._muted

    def push(self, identity: str, pcm: bytes | npt.NDArray[np.int16]) -> bool:
        """One 10 ms chunk of a member's sound (`CHUNK_SAMPLES` mono s16 samples, native byte
        order); False when the member is not in the mix (the chunk is dropped)."""
        chunk = (
            np.frombuffer(pcm, dtype=np.int16)
            if isinstance(pcm, bytes | bytearray | memoryview)
            else np.asarray(pcm, dtype=np.int16)
        )
        if chunk.shape != (CHUNK_SAMPLES,):
            raise ValueError(f"a chunk is {CHUNK_SAMPLES} mono samples, not {chunk.size}")
        with self._lock:
            if identity not in self._members:
                return False
            queue = self._queues.setdefault(identity, deque(maxlen=self._backlog))
            queue.append(chunk)
            return True

    def tick(self) -> bytes:
        """The next 10 ms of the program: `CHUNK_SAMPLES` stereo frames of s16, interleaved
        (left, right), native byte order. Takes one chunk from each member that has one."""
        mono = np.zeros(CHUNK_SAMPLES, dtype=np.float32)
        with self._lock:
            for identity, queue in self._queues.items():
                if identity not in self._playing:
                    if len(queue) < self._prefill:
                        continue
                    self._playing.add(identity)
                if not queue:
                    self._playing.discard(identity)  # ran dry: wait for a few chunks again
                    continue
                chunk = queue.popleft()
                gain = 0.0 if identity in self._muted else self._gains.get(identity, 1.0)
                if gain:
                    mono += chunk.astype(np.float32) * np.float32(gain)
        mixed = np.clip(np.rint(mono), _INT16_MIN, _INT16_MAX).astype(np.int16)
        return np.repeat(mixed, CHANNELS).tobytes()
