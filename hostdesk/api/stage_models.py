"""The stage's bodies (`hostdesk.api.models` says what a body is): invitations, demotion and
removal of a guest, raised hands with their questions, the backstage's token and the show's
limit on a guest's time on stage."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from hostdesk.api.models import (
    NAME_RULE,
    SURROGATE_RANGE,
    Name,
    Reply,
    Request,
    StageTimeLimitSeconds,
    SuccessFlag,
)
from hostdesk.show.rules import NAME_FORBIDDEN_CLASS, QUESTION_MAX_LENGTH, question_problem

#: A raised hand's question. Its rule (`rules.question_problem`) is the service's, with the
#: rule's own messages, so the decoder is not given the length: it would answer with msgspec's.
QUESTION_NOT_TEXT = "question must be a string"
#: The messages a bad question gets (the rule's own, and the type's), for the document.
QUESTION_PROBLEMS = (
    QUESTION_NOT_TEXT,
    *(
        problem
        for bad in ("x" * (QUESTION_MAX_LENGTH + 1), "a\n")
        if (problem := question_problem(bad))
    ),
)
QUESTION = Meta(
    description=f"Optional question shown with the hand in the host's queue: at most "
    f"{QUESTION_MAX_LENGTH} characters, no control or invisible characters; trimmed; empty "
    "means none. Only with `raised: true`; lowering the hand takes the question away.",
    extra_json_schema={
        "maxLength": QUESTION_MAX_LENGTH,
        "pattern": "^[^" + NAME_FORBIDDEN_CLASS[1:-1].replace(SURROGATE_RANGE, "") + "]*$",
    },
)

INVITE_TO_STAGE = "stage"
INVITE_TO_BACKSTAGE = "backstage"
INVITE_TO_PROBLEM = 'to must be "backstage" or "stage"'
#: Where an invitation takes the viewer (the handler refuses anything else with its message).
InviteTo = Annotated[
    str,
    Meta(
        extra_json_schema={"enum": [INVITE_TO_BACKSTAGE, INVITE_TO_STAGE]},
        description="`stage` (the default): on stage at once. `backstage`: the viewer meets the "
        "host in the show's backstage room first, which the audience cannot see or hear.",
    ),
]


# -- requests -------------------------------------------------------------------------------------


class InviteRequest(Request):
    """Whom the host puts on stage."""

    REQUIRED = ("viewerIdentity", "hostIdentity")
    viewer_identity: Annotated[
        Name, Meta(description="Identity of the viewer to invite. " + NAME_RULE)
    ]
    host_identity: Annotated[Name, Meta(description="Identity of the host inviting. " + NAME_RULE)]
    to: InviteTo = INVITE_TO_STAGE


class GuestRequest(Request):
    """Which guest the host takes off stage."""

    REQUIRED = ("guestIdentity", "hostIdentity")
    guest_identity: Annotated[Name, Meta(description="Identity of the guest. " + NAME_RULE)]
    host_identity: Annotated[Name, Meta(description="Identity of the host doing it. " + NAME_RULE)]


class HandRaiseRequest(Request):
    """Raise or lower a hand."""

    REQUIRED = ("participantIdentity", "raised")
    participant_identity: Annotated[
        Name, Meta(description="Identity of the participant. " + NAME_RULE)
    ]
    raised: Annotated[bool, Meta(description="true to raise the hand, false to lower it.")]
    question: Annotated[str, QUESTION] = ""


class StageTimeLimitRequest(Request):
    """The show's limit on a guest's time on stage."""

    REQUIRED = ("seconds",)
    seconds: StageTimeLimitSeconds


# -- replies --------------------------------------------------------------------------------------


class BackstageTokenReply(Reply):
    """A LiveKit token for the show's backstage room."""

    token: Annotated[
        str,
        Meta(
            description="LiveKit access token (JWT) for the backstage room: publish camera and "
            "microphone, subscribe, data."
        ),
    ]
    ws_url: Annotated[str, Meta(description="LiveKit server URL to connect to with the token.")]
    room_name: Annotated[str, Meta(description="The backstage room: `<roomName>~backstage`.")]
    identity: Annotated[str, Meta(description="The same identity as the asking token's.")]


class StageTimeLimitState(Reply):
    """The show's stage time limit now."""

    success: SuccessFlag
    stage_time_limit_seconds: StageTimeLimitSeconds


class StageChange(Reply):
    """The participant's permissions were changed live; a token with the new grants is
    returned for clients that prefer to reconnect."""

    success: SuccessFlag
    token: Annotated[str, Meta(description="LiveKit access token with the new role's grants.")]
    ws_url: Annotated[str, Meta(description="LiveKit server URL.")]
    message: Annotated[str, Meta(description="What happened.")]


class GuestRemoved(Reply):
    """The guest was disconnected from the room."""

    success: SuccessFlag
    message: Annotated[str, Meta(description="What happened.")]


class HandState(Reply):
    """The hand's state now."""

    success: SuccessFlag
    hand_raised: Annotated[bool, Meta(description="Whether the hand is raised now.")]
