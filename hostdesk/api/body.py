"""Reading request bodies into their models (`hostdesk.api.models`), with the contract's messages.

A well-formed body takes the fast road: one msgspec decode straight into the model, which checks
every declared constraint. Anything msgspec refuses is read again the slow way, in the order the
contract's messages need ("a and b are required" before any field's own problem, then each field
in turn), so a refused body gets exactly the message it always got; a body only msgspec is
stricter about (NaN, a lone surrogate in an ignored field, another charset) is still accepted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, TypeVar, get_args, get_origin

import msgspec
from msgspec import Meta

from hostdesk.api.models import NAME, Request
from hostdesk.show.errors import InvalidInput
from hostdesk.show.validation import check_name

#: Largest request body accepted (413 beyond it).
MAX_BODY = 64 * 1024

INVALID_JSON = "Request body must be valid JSON"
NOT_AN_OBJECT = "Request body must be a JSON object"

B = TypeVar("B", bound=Request)
_UTF8 = ("utf-8", "utf8")

#: What the slow road does with a field's value once the required ones are known to be there:
#: returns the value to build the model with, or raises InvalidInput with the field's message.
Check = Callable[[str, Any], Any]


def _name(field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string")
    return check_name(field, value)


def _boolean(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be a boolean")
    return value


def _text_or_empty(_field: str, value: Any) -> str:
    """Text whose rule belongs to the service (the role): anything else reads as "", which the
    service refuses with its own message."""
    return value if isinstance(value, str) else ""


def _optional_text(field: str, value: Any) -> str:
    """An optional text field (it has a default): absent is fine, anything but text is not."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string")
    return value


def integer_problem(field: str, low: int, high: int) -> str:
    """What a whole number out of its range, or anything else, gets."""
    return f"{field} must be an integer from {low} to {high}"


def _integer(low: int, high: int) -> Check:
    def check(field: str, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # `30.0` is the integer 30 to JSON Schema (and to JavaScript)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(integer_problem(field, low, high))
        return value

    return check


@dataclass(frozen=True)
class _Field:
    key: str  # the field's name in JSON
    attribute: str  # and in the model
    check: Check
    kind: str  # "name", "boolean", "integer", "optional text" or "text"
    problem: str = ""  # what a value of the wrong type gets ("" when the service says)
    optional: bool = False  # may be left out: the model's default applies

    @property
    def is_name(self) -> bool:
        return self.kind == "name"


@dataclass(frozen=True)
class _Reader:
    """How to read one model, worked out once per model."""

    decoder: msgspec.json.Decoder[Any]
    fields: tuple[_Field, ...]
    names: tuple[_Field, ...]
    required: tuple[str, ...]
    required_message: str

    def missing(self, body: dict[str, Any], key: str) -> bool:
        if key not in body:
            return True
        return any(f.key == key for f in self.names) and body[key] in (None, "")


def _field(info: msgspec.structs.FieldInfo) -> _Field:
    metas = get_args(info.type)[1:] if get_origin(info.type) is Annotated else ()
    key = info.encode_name
    if any(meta is NAME for meta in metas):
        return _Field(key, info.name, _name, "name", f"{key} must be a string")
    base = get_args(info.type)[0] if metas else info.type
    if base is str and info.default is not msgspec.NODEFAULT:
        problem = f"{key} must be a string"
        return _Field(key, info.name, _optional_text, "optional text", problem, optional=True)
    if base is bool:
        return _Field(key, info.name, _boolean, "boolean", f"{key} must be a boolean")
    if base is int:
        # an integer field declares its whole range (ge and le), which is what it is told
        low = int(next(m.ge for m in metas if isinstance(m, Meta) and m.ge is not None))
        high = int(next(m.le for m in metas if isinstance(m, Meta) and m.le is not None))
        return _Field(
            key, info.name, _integer(low, high), "integer", integer_problem(key, low, high)
        )
    return _Field(key, info.name, _text_or_empty, "text")


@cache
def _reader(model: type[Request]) -> _Reader:
    fields = tuple(_field(info) for info in msgspec.structs.fields(model))
    return _Reader(
        msgspec.json.Decoder(model),
        fields,
        tuple(f for f in fields if f.is_name),
        model.REQUIRED,
        " and ".join(model.REQUIRED)
        + (" are required" if len(model.REQUIRED) > 1 else " is required"),
    )


def required_message(model: type[Request]) -> str:
    """The contract's "a and b are required" for this model ("a is required" for one)."""
    return _reader(model).required_message


def field_kinds(model: type[Request]) -> list[tuple[str, str, str]]:
    """(JSON name, kind, the message a value of the wrong type gets) of each field, for the
    document's examples; kind: "name" | "boolean" | "integer" | "optional text" | "text"."""
    return [(f.key, f.kind, f.problem) for f in _reader(model).fields]


def read_body(raw: bytes, model: type[B], charset: str | None = None) -> B:
    """The body as `model`, or InvalidInput with the contract's message (400)."""
    reader = _reader(model)
    if charset is None or charset.lower() in _UTF8:
        try:
            body: B = reader.decoder.decode(raw)
        except msgspec.MsgspecError:
            pass
        else:
            for name in reader.names:  # the name rule, with its messages (models.NAME)
                check_name(name.key, getattr(body, name.attribute))
            return body
    return _read_slowly(reader, raw, model, charset or "utf-8")


def _read_slowly(reader: _Reader, raw: bytes, model: type[B], charset: str) -> B:
    try:
        text = raw.decode(charset)
        data = json.loads(text) if text.strip() else None
    except (ValueError, LookupError, RecursionError):
        raise InvalidInput(INVALID_JSON) from None
    if not isinstance(data, dict):
        raise InvalidInput(NOT_AN_OBJECT)
    if any(reader.missing(data, key) for key in reader.required):
        raise InvalidInput(reader.required_message)
    checked = {
        f.key: f.check(f.key, data.get(f.key))
        for f in reader.fields
        if not f.optional or f.key in data
    }
    try:
        return msgspec.convert(checked, model)
    except msgspec.ValidationError as exc:  # the checks above are the same rules; defensive
        raise InvalidInput(str(exc)) from None
