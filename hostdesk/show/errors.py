"""What can go wrong in a show, as exceptions the API and the window both turn into messages.

Each kind maps to one HTTP status in the API; the message is the text a user sees.
"""

#: The 503 message whenever LiveKit does not answer (the room service, the signalling relay).
LIVEKIT_UNAVAILABLE = "LiveKit server unavailable"


class ShowError(Exception):
    """Base of every error a user may see. `str(error)` is the message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ShowError):
    """The request is malformed or a field is missing or wrong (400)."""


class NotAuthenticated(ShowError):
    """No credentials where some are needed (401)."""


class Forbidden(ShowError):
    """The caller may not do this (403)."""


class NotFound(ShowError):
    """The room or participant does not exist (404)."""


class Conflict(ShowError):
    """The request clashes with the show's state (409)."""


class RateLimited(ShowError):
    """Too many requests from one client (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many requests")
        self.retry_after = retry_after


class Unavailable(ShowError):
    """LiveKit cannot be reached (503)."""
