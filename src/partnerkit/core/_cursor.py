"""The one codec of opaque listing cursors: JSON, then URL-safe base64 without padding."""

from __future__ import annotations

import base64
import binascii
import json

from partnerkit.core.errors import ValidationError


def pack_cursor(data: object) -> str:
    """An opaque, URL-safe cursor holding ``data`` (anything JSON can hold)."""
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unpack_cursor(cursor: object, message: str) -> object:
    """The data a cursor of :func:`pack_cursor` holds; anything else is a ``ValidationError``.

    The caller checks the shape of what comes back and raises the same error
    (at ``cursor``, with ``message``) when it is not what it packed.
    """
    try:
        if not isinstance(cursor, str):
            raise ValueError(cursor)
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise ValidationError.single("cursor", "invalid", message) from None
