"""Clients written to the contract alone interoperate with HostDesk's window and page.

The contract documents the data messages as JSON on LiveKit's data channel and names no topic,
so such a client (tests/support/contract_client.py) sends with none. Real livekit-server, real
API on a real port, the host's real window offscreen or a real browser running the page.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from livekit import rtc

from hostdesk.show import messages
from hostdesk.show.participants import HAND_ATTRIBUTE
from hostdesk.show.roles import Role
from hostdesk.ui.video_view import VideoView
from tests.support.api_fixtures import RunningApi, new_room
from tests.support.bots import first_frame_rgb
from tests.support.browser_fixtures import CAMERA_RGB, OpenPage
from tests.support.contract_client import ContractClient
from tests.support.desk_fixtures import Desk, eventually, select_hand

pytestmark = pytest.mark.integration

TEAL = (20, 160, 150)
CHAT_TEXTS = "[...document.querySelectorAll('#chat-list .text')].map((e) => e.textContent)"


async def _contract_viewer(desk: Desk, name: str) -> ContractClient:
    """A contract client in the desk's show, once the window lists it and it sees the host (so
    its packets arrive with LiveKit's stamp on both sides)."""
    client = await ContractClient.join(desk.api.session, desk.api.url, desk.room, name)
    desk.api.bots.append(client)
    await eventually(lambda: desk.mirror.get(client.identity), 10, f"{name} in the audience")
    await client.wait_for(lambda: client.remote(desk.control.identity))
    return client


def _hand_attribute(client: ContractClient) -> int:
    return int(client.room.local_participant.attributes.get(HAND_ATTRIBUTE) or 0)


def _shows(view: VideoView, rgb: tuple[int, int, int]) -> bool:
    image = view.grab().toImage()
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    seen = (colour.red(), colour.green(), colour.blue())
    return all(abs(a - b) < 35 for a, b in zip(seen, rgb, strict=True))


def _chat_rows(desk: Desk) -> list[str]:
    model = desk.window.chat_model
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


async def test_a_contract_viewer_raises_a_hand_by_message_goes_on_stage_and_chats(
    desk: Desk,
) -> None:
    await desk.go_live()
    cora = await _contract_viewer(desk, "Cora Contract")

    await cora.say("hand_raise")
    await eventually(lambda: desk.hand_names() == ["Cora Contract"], 5, "the hand in the queue")
    # The hand is recorded by the server, not only shown from the message: the attribute
    # reaches the viewer, and the window's queue takes the server's time and keeps the hand.
    written = await cora.wait_for(lambda: _hand_attribute(cora), 10)
    await eventually(
        lambda: (m := desk.mirror.get(cora.identity)) and m.hand_raised_at == written,
        5,
        "the window on the server's time",
    )
    assert desk.hand_names() == ["Cora Contract"]
    assert any("Cora Contract" in row for row in desk.queue_rows()), desk.queue_rows()

    select_hand(desk, 0)
    desk.window.hands.invite_button.click()
    invite = await cora.wait_message("guest_invite")
    assert invite["targetParticipantId"] == cora.identity
    assert cora.topics["guest_invite"] == messages.TOPIC  # HostDesk's own keep their topic
    await cora.say("guest_invite_response", to=[desk.control.identity], accepted=True)
    await cora.wait_for(lambda: cora.room.local_participant.permissions.can_publish, 10)
    await eventually(lambda: desk.mirror.role_of(cora.identity) is Role.GUEST, 10, "a guest")

    await cora.publish_colour(TEAL)
    tile = desk.window.stage.guest_tiles[0]
    assert tile.identity == cora.identity
    await eventually(lambda: _shows(tile.view, TEAL), 15, "Cora's camera on the guest tile")

    await cora.say("chat_message", message="hello from a contract client")
    await eventually(
        lambda: "Cora Contract: hello from a contract client" in _chat_rows(desk),
        5,
        "the line in the window's chat",
        lambda: str(_chat_rows(desk)),
    )


async def test_a_hand_sent_by_api_and_message_is_written_once_and_keeps_its_place(
    desk: Desk,
) -> None:
    """HostDesk's page announces a hand by message and records it through the API: the host's
    own write from the message must not give it a second time (which would reorder the queue)."""
    await desk.go_live()
    ann = await _contract_viewer(desk, "Ann Both")
    bob = await _contract_viewer(desk, "Bob Message")
    seen: list[str] = []  # every value of Ann's hand attribute, as Bob sees it written

    def noted(changed: dict[str, str], who: rtc.Participant) -> None:
        if who.identity == ann.identity and HAND_ATTRIBUTE in changed:
            seen.append(changed[HAND_ATTRIBUTE])

    bob.room.on("participant_attributes_changed", noted)

    async def by_api(client: ContractClient) -> None:
        reply = await desk.api.request(
            "POST",
            f"/api/rooms/{desk.room}/hand-raise",
            {"participantIdentity": client.identity, "raised": True},
            token=client.token,
        )
        assert reply.status == 200, reply.body

    await asyncio.gather(ann.say("hand_raise"), by_api(ann))
    # Once Ann's chat line is at the host, her hand_raise has been handled there too.
    await ann.say("chat_message", message="sentinel after the hand")
    await eventually(
        lambda: any(line.text == "sentinel after the hand" for line in desk.mirror.chat), 5
    )
    await bob.say("hand_raise")
    await eventually(lambda: _hand_attribute(bob), 10, "Bob's hand written")
    # Bob's write queued behind any write the host made for Ann (one lock per room): every
    # write of Ann's hand is done by now.
    await by_api(bob)
    await bob.wait_for(lambda: seen, 5)
    assert len(set(seen)) == 1, f"Ann's hand was written more than once: {seen}"
    assert _hand_attribute(ann) < _hand_attribute(bob)
    await eventually(
        lambda: desk.hand_names() == ["Ann Both", "Bob Message"], 5, "Ann first, then Bob"
    )

    # Lowered by message alone: the server takes the attribute away too.
    await bob.say("hand_lower")
    await bob.wait_for(lambda: not _hand_attribute(bob), 10)
    await eventually(lambda: desk.hand_names() == ["Ann Both"], 5, "only Ann's hand left")


async def test_a_viewers_promotion_without_topic_and_another_apps_packets_change_nothing(
    desk: Desk,
) -> None:
    await desk.go_live()
    mal = await _contract_viewer(desk, "Mal Forger")

    await mal.say(
        "guest_promoted", targetParticipantId=mal.identity, targetParticipantName="Mal Forger"
    )
    await mal.send_on_topic("other-app", "hand_raise")
    await mal.send_on_topic("other-app", "chat_message", message="not a show message")
    # One sender's reliable packets arrive in order: once this line is in the chat, everything
    # before it has been handled.
    await mal.say("chat_message", message="sentinel after the forgery")
    await eventually(
        lambda: "Mal Forger: sentinel after the forgery" in _chat_rows(desk),
        5,
        "the sentinel line",
        lambda: str(_chat_rows(desk)),
    )
    assert desk.mirror.role_of(mal.identity) is Role.VIEWER
    assert desk.mirror.guests == []
    assert desk.window.stage.guest_view.name == ""
    assert desk.hand_names() == []
    assert not any("not a show message" in row for row in _chat_rows(desk))
    assert not mal.room.local_participant.permissions.can_publish


async def test_a_contract_host_bot_invites_the_viewer_page_and_chats_without_a_topic(
    api: RunningApi, viewer_pages: OpenPage
) -> None:
    room = new_room()
    hank = await ContractClient.join(
        api.session, api.url, room, "Hank Bot", role="host", api_key=api.api_key
    )
    api.bots.append(hank)
    pam = await viewer_pages(f"{api.url}/watch/{room}", label="Pam")
    await pam.page.fill("#name-input", "Pam Page")
    await pam.page.click("#join-button")
    await pam.until("hostdeskViewer.state === 'live'", 20, "the page live")
    pam_identity = (await pam.view())["identity"]
    await hank.wait_for(lambda: hank.remote(pam_identity), 10)

    # A viewer's forged invitation (no topic) is not the host's: the page shows nothing of it.
    mal = await ContractClient.join(api.session, api.url, room, "Mal Viewer")
    api.bots.append(mal)
    await pam.until("hostdeskViewer.viewerCount === 2", 10, "Mal known to the page")
    await mal.say(
        "guest_invite",
        to=[pam_identity],
        targetParticipantId=pam_identity,
        targetParticipantName="Pam Page",
    )
    await mal.say("chat_message", message="Mal was here")
    await pam.until(f"{CHAT_TEXTS}.includes('Mal was here')", 10, "Mal's line")
    assert not await pam.page.is_visible("#invite-dialog")

    await hank.send_on_topic("other-app", "chat_message", message="not for the page")
    await hank.say("chat_message", message="Welcome from the host bot")
    await pam.until(f"{CHAT_TEXTS}.includes('Welcome from the host bot')", 10, "the line")
    assert "not for the page" not in await pam.page.evaluate(CHAT_TEXTS)

    await hank.say(
        "guest_invite",
        to=[pam_identity],
        targetParticipantId=pam_identity,
        targetParticipantName="Pam Page",
    )
    await pam.page.locator("#invite-dialog").wait_for(state="visible", timeout=10_000)
    assert await pam.page.text_content("#invite-text") == "Hank Bot invites you on stage"
    await pam.page.click("#invite-accept")

    def answer() -> dict[str, object] | None:
        return next(
            (
                body
                for sender, body in hank.messages
                if sender == pam_identity and body.get("type") == "guest_invite_response"
            ),
            None,
        )

    response = await hank.wait_for(answer, 10)
    assert response["accepted"] is True
    reply = await api.request(
        "POST",
        f"/api/rooms/{room}/invite",
        {"viewerIdentity": pam_identity, "hostIdentity": hank.identity},
        key=True,
    )
    assert reply.status == 200 and reply.body["success"] is True, reply.body
    await pam.until("hostdeskViewer.onStage && hostdeskViewer.isPublishing", 15, "Pam on stage")
    tracks = await hank.wait_for(lambda: hank.remote_video_tracks(pam_identity), 15)
    rgb = await first_frame_rgb(tracks[0])
    assert all(abs(a - e) <= 40 for a, e in zip(rgb, CAMERA_RGB, strict=True)), rgb
    assert json.loads(hank.remote(pam_identity).metadata)["role"] == Role.GUEST.value
    # What HostDesk sends keeps its topic (a contract client reads any).
    assert hank.topics["guest_invite_response"] == messages.TOPIC
