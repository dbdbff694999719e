"""The shape in which local media leaves the capture classes: RGBA frames and 10 ms PCM chunks."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QImage

#: width, height, RGBA8888 bytes with rows packed tightly (stride = width * 4)
FrameSink = Callable[[int, int, bytes], None]
#: 48 kHz, mono, signed 16-bit little-endian, in 10 ms chunks (960 bytes)
PcmSink = Callable[[bytes], None]

SAMPLE_RATE = 48000
CHUNK_MS = 10
CHUNK_BYTES = SAMPLE_RATE * CHUNK_MS // 1000 * 2


def rgba_bytes(image: QImage) -> bytes:
    """The image as FrameSink bytes: RGBA8888 with rows packed tightly.

    Frames from a camera may carry padded rows; the receiver assumes stride = width * 4.
    """
    if image.format() != QImage.Format.Format_RGBA8888:
        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    bits = memoryview(image.constBits())
    row, stride = image.width() * 4, image.bytesPerLine()
    if stride == row:
        return bytes(bits[: row * image.height()])
    return b"".join(bits[y * stride : y * stride + row] for y in range(image.height()))
