"""The registration policy: a program's lists and rules for registrations, and its TOML form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from partnerkit.contacts import DEFAULT_CONTACT_ROLES, ContactRole
from partnerkit.core import ConfigReader, ErrorCollector
from partnerkit.core._validation import MAX_NAME_LENGTH
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.locale import N_, Choice

__all__ = [
    "APPROVAL_MODES",
    "CHANNEL_CONFLICT_ACTIONS",
    "DEFAULT_FREE_MAIL_DOMAINS",
    "DEFAULT_MAIL_PLATFORMS",
    "DEFAULT_PROJECT_PRIORITIES",
    "ApprovalMode",
    "ChannelConflictAction",
    "RegistrationPolicy",
    "read_registration_policy",
    "registration_policy_from_dict",
    "registration_policy_to_dict",
]

#: Manual: a vendor user reviews every registration; automatic: approved at registration
#: when the host's rule passes (or when there is no rule).
ApprovalMode = Literal["manual", "automatic"]
APPROVAL_MODES: tuple[str, ...] = ("manual", "automatic")

#: What happens to a registration for a prospect another partner already holds.
ChannelConflictAction = Literal["flag", "decline"]
CHANNEL_CONFLICT_ACTIONS: tuple[str, ...] = ("flag", "decline")


#: Project priorities offered when the program configures none.
DEFAULT_PROJECT_PRIORITIES: tuple[Choice, ...] = (
    Choice("high", N_("High")),
    Choice("medium", N_("Medium")),
    Choice("low", N_("Low")),
)

#: Mail platforms a customer may be migrating to, when the program configures none.
DEFAULT_MAIL_PLATFORMS: tuple[Choice, ...] = (
    Choice("microsoft_365", N_("Microsoft 365")),
    Choice("exchange", N_("Microsoft Exchange (on premises)")),
    Choice("google_workspace", N_("Google Workspace")),
    Choice("other", N_("Other")),
)

#: Free-mail and webmail domains: never a company's domain, so never a prospect's key.
DEFAULT_FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "aol.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "icloud.com",
        "libero.it",
        "live.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "naver.com",
        "orange.fr",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "web.de",
        "yahoo.co.jp",
        "yahoo.co.uk",
        "yahoo.com",
        "yahoo.fr",
        "yandex.ru",
        "zoho.com",
    }
)


def _text_errors(path: str, key: str, label: str) -> tuple[FieldError, ...]:
    """The text rule of every text field, for a choice's key and label."""
    check = ErrorCollector(path)
    check.text(key, "key", required=True, limit=MAX_NAME_LENGTH)
    check.text(label, "label", required=False, limit=MAX_NAME_LENGTH)
    return check.errors


def _choice_errors(choices: object, path: str) -> list[FieldError]:
    if not isinstance(choices, tuple) or not choices:
        return [FieldError(path, "required", "give at least one choice")]
    errors = []
    seen: set[str] = set()
    for index, choice in enumerate(choices):
        key = getattr(choice, "key", None)
        label = getattr(choice, "label", None)
        if not isinstance(key, str) or not key.strip() or not isinstance(label, str):
            errors.append(FieldError(f"{path}.{index}", "invalid", "expected a key and a label"))
        elif text := _text_errors(f"{path}.{index}", key, label):
            errors.extend(text)
        elif key in seen:
            errors.append(FieldError(f"{path}.{index}.key", "duplicate", f"{key!r} is repeated"))
        else:
            seen.add(key)
    return errors


@attrs.frozen
class RegistrationPolicy:
    """How a program handles deal registrations: its drop-down lists, deadlines and rules.

    Days are calendar days counted in the program's time zone:

    - ``review_days``: a registration nobody approved or declined within
      this many days of registering expires;
    - ``order_start_days`` / ``order_submit_days``: after approval, the
      order must be started / submitted within this many days, or the
      registration expires;
    - ``protection_days``: an approved registration is exclusive to its
      partner this long (at least ``order_submit_days``);
    - ``extension_days``: what one granted extension adds to the deadlines;
      ``max_extensions`` how many requests a registration may make.

    ``channel_conflict`` says what happens when another partner already
    holds an active registration for the prospect (``"flag"`` or
    ``"decline"``); ``approval_mode`` is ``"manual"`` or ``"automatic"``.
    The drop-down lists (``project_priorities``, ``mail_platforms``,
    ``products``) hold :class:`partnerkit.locale.Choice` values, and
    ``end_user_roles`` :class:`partnerkit.contacts.ContactRole` values.
    Raises :class:`ValidationError` naming every bad setting.

    >>> RegistrationPolicy(protection_days=30, order_submit_days=60)
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: deals.protection_days: ...
    """

    approval_mode: ApprovalMode = "manual"
    channel_conflict: ChannelConflictAction = "flag"
    review_days: int = 10
    order_start_days: int = 30
    order_submit_days: int = 90
    protection_days: int = 90
    extension_days: int = 30
    max_extensions: int = 1
    end_user_roles: tuple[ContactRole, ...] = DEFAULT_CONTACT_ROLES
    project_priorities: tuple[Choice, ...] = DEFAULT_PROJECT_PRIORITIES
    mail_platforms: tuple[Choice, ...] = DEFAULT_MAIL_PLATFORMS
    #: The products a partner may register; empty means any product name.
    products: tuple[Choice, ...] = ()
    free_mail_domains: frozenset[str] = DEFAULT_FREE_MAIL_DOMAINS

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if self.approval_mode not in APPROVAL_MODES:
            errors.append(
                FieldError("deals.approval_mode", "invalid_choice", "use manual or automatic")
            )
        if self.channel_conflict not in CHANNEL_CONFLICT_ACTIONS:
            errors.append(
                FieldError("deals.channel_conflict", "invalid_choice", "use flag or decline")
            )
        for name, low in (
            ("review_days", 1),
            ("order_start_days", 1),
            ("order_submit_days", 1),
            ("protection_days", 1),
            ("extension_days", 1),
            ("max_extensions", 0),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(f"deals.{name}", "invalid", "expected an integer"))
            elif not low <= value <= 3650:
                errors.append(
                    FieldError(f"deals.{name}", "out_of_range", f"{value} is outside {low}..3650")
                )
        if not errors:
            if self.order_submit_days < self.order_start_days:
                errors.append(
                    FieldError(
                        "deals.order_submit_days",
                        "out_of_range",
                        "the order cannot be due for submission before it is due to start",
                    )
                )
            if self.protection_days < self.order_submit_days:
                errors.append(
                    FieldError(
                        "deals.protection_days",
                        "out_of_range",
                        "protection must last at least until the order is due",
                    )
                )
        errors += _choice_errors(self.end_user_roles, "deals.end_user_roles")
        errors += _choice_errors(self.project_priorities, "deals.project_priorities")
        errors += _choice_errors(self.mail_platforms, "deals.mail_platforms")
        if self.products:
            errors += _choice_errors(self.products, "deals.products")
        if not isinstance(self.free_mail_domains, frozenset) or not all(
            isinstance(d, str) for d in self.free_mail_domains
        ):
            errors.append(
                FieldError("deals.free_mail_domains", "invalid", "expected a set of domains")
            )
        if errors:
            raise ValidationError(errors)

    def is_free_mail(self, domain: str) -> bool:
        """Whether ``domain`` (normalized) is a free-mail or webmail provider's."""
        return domain in self.free_mail_domains


def _read_choices(
    reader: ConfigReader, key: str, default: tuple[Any, ...], kind: type[Any]
) -> tuple[Any, ...]:
    if not reader.has(key):
        return default
    result = []
    for table in reader.tables(key):
        choice_key = table.str("key")
        label = table.str("label")
        table.finish(raise_errors=False)
        if isinstance(choice_key, str) and isinstance(label, str):
            result.append(kind(choice_key, label))
    return tuple(result)


def read_registration_policy(reader: ConfigReader) -> RegistrationPolicy | None:
    """Read a policy from the ``[deals]`` table ``reader`` holds, recording problems.

    Every bad, missing or unknown key goes into the reader's error collector
    with its dotted path; returns the policy, or None when the table had
    errors. Lists are arrays of tables with ``key`` and ``label``
    (``[[deals.project_priorities]]``); ``free_mail_domains`` replaces the
    default list and ``extra_free_mail_domains`` adds to it.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"deals": {"review_days": 0, "colour": "red"}})
    >>> read_registration_policy(root.table("deals")) is None, root.errors.paths
    (True, ('deals.review_days', 'deals.colour'))
    """
    before = len(reader.errors.errors)
    defaults = RegistrationPolicy()
    values: dict[str, Any] = {
        "approval_mode": reader.str(
            "approval_mode", defaults.approval_mode, choices=APPROVAL_MODES
        ),
        "channel_conflict": reader.str(
            "channel_conflict", defaults.channel_conflict, choices=CHANNEL_CONFLICT_ACTIONS
        ),
    }
    for name in (
        "review_days",
        "order_start_days",
        "order_submit_days",
        "protection_days",
        "extension_days",
    ):
        values[name] = reader.int(name, getattr(defaults, name), minimum=1, maximum=3650)
    values["max_extensions"] = reader.int(
        "max_extensions", defaults.max_extensions, minimum=0, maximum=3650
    )
    values["end_user_roles"] = _read_choices(
        reader, "end_user_roles", defaults.end_user_roles, ContactRole
    )
    values["project_priorities"] = _read_choices(
        reader, "project_priorities", defaults.project_priorities, Choice
    )
    values["mail_platforms"] = _read_choices(
        reader, "mail_platforms", defaults.mail_platforms, Choice
    )
    values["products"] = _read_choices(reader, "products", (), Choice)
    domains = set(defaults.free_mail_domains)
    for key, replace in (("free_mail_domains", True), ("extra_free_mail_domains", False)):
        if not reader.has(key):
            continue
        raw = reader.raw(key)
        if not isinstance(raw, list) or not all(isinstance(d, str) and d.strip() for d in raw):
            reader.error(key, "invalid", "expected a list of domain names")
            continue
        cleaned = {d.strip().lower().rstrip(".") for d in raw}
        domains = cleaned if replace else domains | cleaned
    values["free_mail_domains"] = frozenset(domains)
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) != before:
        return None
    with reader.errors.catch():
        return RegistrationPolicy(**values)
    return None


def registration_policy_from_dict(
    data: Mapping[str, object], path: str = "deals"
) -> RegistrationPolicy:
    """Build a policy from a program's ``[deals]`` settings; every bad key is reported at once.

    >>> registration_policy_from_dict({"protection_days": 120}).protection_days
    120
    >>> registration_policy_from_dict({"approval_mode": "sometimes", "review_days": "5"})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: deals.approval_mode: ...
    """
    reader = ConfigReader(data, path)
    policy = read_registration_policy(reader)
    reader.errors.raise_if_any()
    assert policy is not None
    return policy


def _choices_to_list(choices: Iterable[Choice | ContactRole]) -> list[dict[str, str]]:
    return [{"key": c.key, "label": c.label} for c in choices]


def registration_policy_to_dict(policy: RegistrationPolicy) -> dict[str, object]:
    """The ``[deals]`` settings of ``policy``, as :func:`registration_policy_from_dict` reads them.

    >>> registration_policy_to_dict(RegistrationPolicy())["review_days"]
    10
    """
    return {
        "approval_mode": policy.approval_mode,
        "channel_conflict": policy.channel_conflict,
        "review_days": policy.review_days,
        "order_start_days": policy.order_start_days,
        "order_submit_days": policy.order_submit_days,
        "protection_days": policy.protection_days,
        "extension_days": policy.extension_days,
        "max_extensions": policy.max_extensions,
        "end_user_roles": _choices_to_list(policy.end_user_roles),
        "project_priorities": _choices_to_list(policy.project_priorities),
        "mail_platforms": _choices_to_list(policy.mail_platforms),
        "products": _choices_to_list(policy.products),
        "free_mail_domains": sorted(policy.free_mail_domains),
    }
