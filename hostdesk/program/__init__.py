"""The program's encoder and its outputs: the show encoded once (H.264 + AAC, PyAV on its own
thread) and muxed to any number of outputs, a fragmented MP4 recording and RTMP/RTMPS
destinations, each with its own thread, state and errors. Knows no Qt, livekit or aiohttp."""

from hostdesk.program.destinations import Destination
from hostdesk.program.encoder import EncoderStats, ProgramEncoder
from hostdesk.program.outputs import (
    EncodedPacket,
    Output,
    OutputState,
    OutputStatus,
    ProgramStreams,
)
from hostdesk.program.recording import Recording

__all__ = [
    "Destination",
    "EncodedPacket",
    "EncoderStats",
    "Output",
    "OutputState",
    "OutputStatus",
    "ProgramEncoder",
    "ProgramStreams",
    "Recording",
]
