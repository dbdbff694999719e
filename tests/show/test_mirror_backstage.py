"""The hand queue and the backstage: someone the host sent backstage is not waiting in the
queue, whatever their attributes or messages say, and their hand comes back to the queue only
when it is raised again after they are sent back."""

from __future__ import annotations

from dataclasses import replace

from hostdesk.show.backstage import backstage_attributes
from hostdesk.show.mirror import ShowMirror
from hostdesk.show.participants import QUESTION_ATTRIBUTE, Participant
from tests.support.people import viewer

HOST = "host-1"


def sent_backstage(participant: Participant, backstage: bool = True) -> Participant:
    """The participant with the server-written attribute set (or cleared), hand untouched."""
    attributes = {**participant.attributes, **backstage_attributes(True)}
    if not backstage:
        attributes.pop("backstage")
    return replace(participant, attributes=attributes)


def test_a_viewer_sent_backstage_leaves_the_hand_queue() -> None:
    mirror = ShowMirror(local_identity=HOST)
    removed: list[tuple[int, str]] = []
    mirror.hand_removed.connect(lambda i, m: removed.append((i, m.identity)))
    ann = viewer("ann", hand=1_000)
    mirror.seen(ann)
    mirror.seen(viewer("bob", hand=2_000))

    # Even before (or without) the server lowering the hand, the attribute alone is enough.
    mirror.seen(sent_backstage(ann))

    assert mirror.hands == ["bob"]
    assert [m.name for m in mirror.hand_queue()] == ["Bob"]
    assert removed == [(0, "ann")]
    member = mirror.get("ann")
    assert member is not None and member.backstage and member.hand_raised_at is None


def test_a_backstage_viewers_question_is_not_shown() -> None:
    mirror = ShowMirror(local_identity=HOST)
    asking = viewer("ann", hand=1_000)
    asking = replace(asking, attributes={**asking.attributes, QUESTION_ATTRIBUTE: "Why?"})
    mirror.seen(sent_backstage(asking))

    member = mirror.get("ann")
    assert member is not None and member.question == ""


def test_a_hand_raise_message_from_backstage_does_not_queue_them() -> None:
    mirror = ShowMirror(local_identity=HOST)
    mirror.seen(sent_backstage(viewer("ann")))

    mirror.hand_seen("ann", 5_000)

    assert mirror.hands == []


def test_sent_back_with_the_hand_lowered_they_are_not_queued_until_they_raise_it() -> None:
    mirror = ShowMirror(local_identity=HOST)
    mirror.seen(viewer("bob", hand=2_000))
    mirror.seen(sent_backstage(viewer("ann")))  # the server lowered the hand as it sent them

    mirror.seen(viewer("ann"))  # sent back: the attribute cleared

    assert mirror.hands == ["bob"]
    mirror.seen(viewer("ann", hand=9_000))  # raised again
    assert mirror.hands == ["bob", "ann"]
