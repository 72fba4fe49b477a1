"""E-mail addresses: syntax and normalization with email-validator, never a DNS query."""

from __future__ import annotations

import re

import email_validator
from email_validator import EmailNotValidError, validate_email

from partnerkit.core.errors import ValidationError

__all__ = ["normalize_email"]

# The common case, a plain ASCII address, is answered without email-validator's full
# parse: the local part a dot-atom of RFC 5322 atext (the same characters
# email-validator's DOT_ATOM_TEXT allows), the domain LDH labels with a dot and a final
# letter. Whatever falls outside (quotes, display names, Unicode, Punycode, special-use
# domains, role mailboxes, lengths near the limits) goes to email-validator, so both
# paths give the same answer; tests/contacts/test_email_addresses.py checks it.
_ATEXT = r"a-zA-Z0-9_!#$%&'*+\-/=?^`{|}~"
_FAST_LOCAL = re.compile(rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?:[a-z0-9][a-z0-9-]{{0,61}})?[a-z]")
# email-validator lower-cases these local parts (postmaster, abuse, ...): leave them to it.
# The list object itself, which email-validator reads at each call too, so edits show.
_MAILBOXES: list[str] | None
try:
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    _MAILBOXES = CASE_INSENSITIVE_MAILBOX_NAMES
except ImportError:  # pragma: no cover - an email-validator without the table: no fast path
    _MAILBOXES = None


def _plain_address(text: str) -> str | None:
    """``text`` normalized when it is a plain ASCII address; None to ask email-validator."""
    if _MAILBOXES is None or len(text) > 254 or not text.isascii():
        return None
    local, at, domain = text.rpartition("@")
    domain = domain.lower()
    if (
        not at
        or len(local) > 64
        or len(domain) > 253
        or "--" in domain
        or not _FAST_LOCAL.fullmatch(local)
        or not _FAST_DOMAIN.fullmatch(domain)
        or local.lower() in _MAILBOXES
    ):
        return None
    # Read at each call: hosts may edit email-validator's list.
    for special in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        if domain == special or domain.endswith("." + special):
            return None
    return f"{local}@{domain}"


def normalize_email(raw: str, *, path: str = "") -> str:
    """Check the syntax of an e-mail address and return its normalized form.

    The domain is lower-cased and, when internationalized, given in Unicode
    NFC; the local part keeps its case (mailbox names may be case-sensitive).
    Nothing is looked up: no DNS, no MX check, so it is safe in a request
    handler and in tests.

    >>> normalize_email("  Jane.Doe@EXAMPLE.com ")
    'Jane.Doe@example.com'
    >>> normalize_email("info@Bücher.DE")
    'info@bücher.de'
    >>> normalize_email("jane@", path="end_user.email")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: end_user.email: ...

    Raises :class:`ValidationError` at ``path`` with code ``required`` (empty)
    or ``invalid``.
    """
    if not isinstance(raw, str):
        raise ValidationError.single(path, "invalid", f"expected text, got {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise ValidationError.single(path, "required", "an e-mail address is required")
    plain = _plain_address(text)
    if plain is not None:
        return plain
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError.single(path, "invalid", str(exc)) from None
    except (ValueError, LookupError):  # defensive: odd input deep in the idna codec
        raise ValidationError.single(path, "invalid", "not a valid e-mail address") from None
    return str(result.normalized)
