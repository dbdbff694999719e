"""A viewer in headless Chromium raises a hand with a question: the host's real window shows it,
the page shows it back while the hand is up, and the host's Clear question takes it off both."""

from __future__ import annotations

import os
from pathlib import Path

from hostdesk.show import rules
from tests.support.browser_fixtures import OpenPage
from tests.support.desk_fixtures import Desk, eventually, select_hand

LIVE = "hostdeskViewer.state === 'live'"
MY_QUESTION = "document.getElementById('my-question')"


async def test_a_typed_question_goes_up_with_the_hand_to_the_host_and_can_be_cleared(
    desk: Desk, viewer_pages: OpenPage
) -> None:
    await desk.go_live()
    ada = await viewer_pages(f"{desk.api.url}/watch/{desk.room}", label="A")
    await ada.page.fill("#name-input", "Ada Viewer")
    await ada.page.click("#join-button")
    await ada.until(LIVE, 20, "the page live")

    field = ada.page.locator("#question-input")
    assert await field.get_attribute("maxlength") == str(rules.QUESTION_MAX_LENGTH)
    await field.fill("  Which camera do you use?  ")
    await ada.page.click("#hand-button")

    await eventually(
        lambda: desk.queue_rows() and desk.queue_rows()[0].endswith('"Which camera do you use?"'),
        5,
        "Ada's question in the host's queue",
        lambda: repr(desk.queue_rows()),
    )
    assert desk.queue_rows()[0].startswith("1. Ada Viewer — ")
    await ada.until(f"!{MY_QUESTION}.hidden", 5, "the page showing the question back")
    assert (
        await ada.page.text_content("#my-question") == "Your question: “Which camera do you use?”"
    )
    assert await field.is_hidden()  # no second question while the hand is up
    assert await ada.page.text_content("#hand-button") == "Lower hand"
    shots = Path(os.environ.get("HOSTDESK_SCREENSHOT_DIR", "docs/screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    await ada.page.screenshot(path=str(shots / "viewer-question.png"))

    select_hand(desk, 0)
    desk.window.hands.clear_question_button.click()
    await ada.until(f"{MY_QUESTION}.hidden", 5, "the question gone from the page")
    assert await ada.page.text_content("#queue") == "You are 1st in line"
    assert desk.hand_names() == ["Ada Viewer"] and '"' not in desk.queue_rows()[0]

    await ada.page.click("#hand-button")  # lowered: the field is back, empty
    await ada.until("!document.getElementById('question-input').hidden", 5, "the field back")
    await eventually(lambda: desk.hand_names() == [], 5, "the hand lowered at the host")
    assert await field.input_value() == ""
