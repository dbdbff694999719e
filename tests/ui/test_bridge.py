"""The window's bridge to the controller (hostdesk/ui/bridge.py): which actions replace an
earlier one still running, and which run side by side."""

from __future__ import annotations

import asyncio

from hostdesk.show.errors import Conflict
from hostdesk.ui.bridge import Bridge


async def _slow(done: list[str], name: str, gate: asyncio.Event) -> None:
    await gate.wait()
    done.append(name)


async def test_inviting_b_while_as_invitation_is_in_flight_sends_both() -> None:
    bridge = Bridge()
    done: list[str] = []
    gate = asyncio.Event()
    first = bridge.run("Invite", _slow(done, "A", gate), "viewer-a")
    second = bridge.run("Invite", _slow(done, "B", gate), "viewer-b")
    await asyncio.sleep(0)  # A is in flight when B starts
    gate.set()
    await asyncio.gather(first, second)
    assert sorted(done) == ["A", "B"] and not first.cancelled()


async def test_a_second_click_on_the_same_thing_replaces_the_first() -> None:
    bridge = Bridge()
    done: list[str] = []
    gate = asyncio.Event()
    first = bridge.run("Microphone", _slow(done, "off", gate))
    second = bridge.run("Microphone", _slow(done, "on", gate))
    gate.set()
    await asyncio.gather(first, second, return_exceptions=True)
    assert first.cancelled() and done == ["on"]


async def test_chat_lines_sent_in_quick_succession_all_go() -> None:
    bridge = Bridge()
    done: list[str] = []
    gate = asyncio.Event()
    lines = [bridge.add("Chat", _slow(done, text, gate)) for text in ("one", "two", "three")]
    gate.set()
    await asyncio.gather(*lines)
    assert sorted(done) == ["one", "three", "two"]


async def test_a_refused_action_becomes_a_message_and_close_waits_for_what_runs() -> None:
    bridge = Bridge()
    messages: list[str] = []
    bridge.error.connect(messages.append)

    async def refused() -> None:
        raise Conflict("Room already has a host")

    await bridge.run("Go live", refused())
    assert messages == ["Go live: Room already has a host"]
    gate = asyncio.Event()
    pending = bridge.add("Chat", _slow([], "x", gate))
    await bridge.aclose()
    assert pending.cancelled()
