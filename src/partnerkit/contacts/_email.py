"""E-mail addresses: syntax and normalization with email-validator, never a DNS query."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from partnerkit.core.errors import ValidationError

__all__ = ["normalize_email"]


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
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError.single(path, "invalid", str(exc)) from None
    except (ValueError, LookupError):  # defensive: odd input deep in the idna codec
        raise ValidationError.single(path, "invalid", "not a valid e-mail address") from None
    return str(result.normalized)
