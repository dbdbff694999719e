"""A raised hand with a question, in the host's window on a real show: the queue row shows it,
and the host's Clear question takes it away while the hand stays in its place."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.support.bots import Bot
from tests.support.desk_fixtures import Desk, eventually, save_screenshot, select_hand, viewer


async def _raise_with_question(desk: Desk, bot: Bot, question: str) -> None:
    """The bot raises its hand with a question the way the viewer page does: through the API."""
    reply = await desk.api.request(
        "POST",
        f"/api/rooms/{desk.room}/hand-raise",
        {"participantIdentity": bot.identity, "raised": True, "question": question},
        token=bot.token,
    )
    assert reply.status == 200, reply.body


async def test_the_queue_shows_a_question_and_clear_question_removes_it_only(
    desk: Desk,
) -> None:
    await desk.go_live()
    first = await viewer(desk, "Sam First")
    second = await viewer(desk, "Ola Second")
    long_question = "Could you say more about " + "the second song, " * 8 + "please?"

    await _raise_with_question(desk, first, "  How do I join the stage?  ")
    await _raise_with_question(desk, second, long_question)
    await eventually(
        lambda: (
            [row.split(" — ", 2)[::2] for row in desk.queue_rows()]
            == [
                ["1. Sam First", '"How do I join the stage?"'],
                ["2. Ola Second", f'"{long_question}"'],
            ]
        ),
        5,
        "both questions in the queue",
        lambda: repr(desk.queue_rows()),
    )
    model = desk.window.hands_model
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == long_question
    save_screenshot(desk, "host-questions.png")

    select_hand(desk, 0)
    desk.window.hands.clear_question_button.click()
    await eventually(
        lambda: '"' not in desk.queue_rows()[0],
        5,
        "the first question gone",
        lambda: repr(desk.queue_rows()),
    )
    rows = desk.queue_rows()
    assert rows[0].startswith("1. Sam First — ") and rows[0].count(" — ") == 1
    assert rows[1].startswith("2. Ola Second — ") and rows[1].endswith(f'"{long_question}"')
    assert desk.hand_names() == ["Sam First", "Ola Second"]  # the hand stayed, in its place
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) is None

    # LiveKit itself no longer holds the question: every page sees it gone.
    me = first.room.local_participant
    await first.wait_for(lambda: "handQuestion" not in me.attributes and me.attributes)
    assert me.attributes.get("handRaisedAt")
