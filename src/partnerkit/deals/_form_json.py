"""The registration form at a JSON boundary: every problem in one error, and its JSON Schema."""

from __future__ import annotations

import contextlib
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import attrs

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import converter, from_dict
from partnerkit.core.errors import FieldError, ValidationError, join_path
from partnerkit.deals._form import (
    _MAX_PROBLEMS,
    _MAX_TEXT,
    _MAX_USERS,
    CompanySection,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
    validate_registration_form,
)
from partnerkit.deals._policy import RegistrationPolicy

__all__ = ["read_registration_form", "registration_form_schema"]

_SECTIONS: tuple[tuple[str, type[Any]], ...] = (
    ("company", CompanySection),
    ("partner", PartnerSection),
    ("end_user", Contact),
    ("opportunity", OpportunitySection),
)
# Classes read field by field, so one bad field does not hide the rules of the others.
_NESTED: tuple[type[Any], ...] = (Address,)

# Problems that depend on the program's lists (its products, priorities, platforms, roles and
# free-mail domains): from_dict knows no program, so it leaves them to the policy's check.
_POLICY_PROBLEMS: frozenset[tuple[str, str]] = frozenset(
    {
        ("company.domain", "free_mail"),
        ("end_user.role", "invalid_choice"),
        ("opportunity.product", "invalid_choice"),
        ("opportunity.priority", "invalid_choice"),
        ("opportunity.migrating_to", "invalid_choice"),
    }
)


# The fields' types, read once (the modules use postponed annotations).
_HINTS: dict[type[Any], dict[str, Any]] = {
    cls: typing.get_type_hints(cls) for cls in (*(cls for _, cls in _SECTIONS), *_NESTED)
}


def _optional(hint: Any) -> tuple[Any, bool]:
    """``(inner type, None allowed)`` for ``X | None``; ``(hint, False)`` otherwise."""
    args = typing.get_args(hint)
    if (typing.get_origin(hint) in (typing.Union, types.UnionType)) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return hint, False


class _Reading:
    """The structure problems of one body, and the paths of the fields that did not structure."""

    def __init__(self) -> None:
        self.problems: list[FieldError] = []
        self.failed: list[str] = []

    def fail(self, path: str, code: str, message: str) -> None:
        self.problems.append(FieldError(path, code, message))
        self.failed.append(path)

    def covers(self, path: str) -> bool:
        """Whether ``path`` is at or under a field that did not structure."""
        return any(path == bad or path.startswith(f"{bad}.") for bad in self.failed)

    def instance(self, raw: object, cls: type[Any], path: str) -> Any:
        """Read ``cls`` field by field; a field that does not structure becomes None."""
        if not isinstance(raw, Mapping):
            self.fail(path, "invalid", f"expected an object for {cls.__name__}")
            return None
        values: dict[str, Any] = {}
        names = set()
        for field in attrs.fields(cls):
            names.add(field.name)
            where = join_path(path, field.name)
            if field.name not in raw:
                if field.default is attrs.NOTHING:
                    self.fail(where, "required", "this field is required")
                    values[field.name] = None
                continue
            values[field.name] = self.value(raw[field.name], _HINTS[cls][field.name], where)
        for key in sorted((k for k in raw if k not in names), key=repr):
            self.problems.append(
                FieldError(join_path(path, str(key)), "unknown", f"unknown key {key!r}")
            )
        return cls(**values)

    def value(self, raw: object, hint: Any, path: str) -> Any:
        kind, nullable = _optional(hint)
        if raw is None and nullable:
            return None
        if kind in _NESTED:
            return self.instance(raw, kind, path)
        try:
            return from_dict(kind, raw)
        except ValidationError as exc:
            self.problems.extend(e.prefixed(path) for e in exc.errors)
            self.failed.append(path)
            return None


def _read(body: object) -> tuple[RegistrationForm, _Reading]:
    reading = _Reading()
    if not isinstance(body, Mapping):
        raise ValidationError.single("", "invalid", "expected an object for RegistrationForm")
    sections: list[Any] = []
    for name, cls in _SECTIONS:
        if name in body:
            sections.append(reading.instance(body[name], cls, name))
        else:
            reading.fail(name, "required", "this field is required")
            sections.append(None)
    known = {name for name, _ in _SECTIONS}
    for key in sorted((k for k in body if k not in known), key=repr):
        reading.problems.append(FieldError(str(key), "unknown", f"unknown key {key!r}"))
    return RegistrationForm(*sections), reading


def _business_problems(
    form: RegistrationForm, reading: _Reading, check: Callable[[RegistrationForm], object]
) -> list[FieldError]:
    """The problems ``check`` finds in the fields that structured."""
    try:
        check(form)
    except ValidationError as exc:
        return [e for e in exc.errors if not reading.covers(e.path)]
    return []


def read_registration_form(
    body: object,
    policy: RegistrationPolicy | None = None,
    *,
    today: date | None = None,
    partner_name: str | None = None,
    partner_email: str | None = None,
    default_region: str | None = None,
) -> RegistrationForm:
    """Read a registration form from a JSON body and check it; one error names every problem.

    ``body`` is the decoded JSON (:func:`registration_form_schema` describes
    it). The structure problems (a missing or unknown key, a value of the
    wrong type, a date that is no ISO date) and the business rules of
    :func:`validate_registration_form` with ``policy`` for every field that
    did structure come in one :class:`~partnerkit.core.errors.ValidationError`,
    with dotted paths (``opportunity.users``, ``end_user.address.postal_code``).
    The other arguments are those of :func:`validate_registration_form`;
    the form is returned normalized.
    """
    form, reading = _read(body)

    def check(candidate: RegistrationForm) -> RegistrationForm:
        return validate_registration_form(
            candidate,
            policy,
            today=today,
            partner_name=partner_name,
            partner_email=partner_email,
            default_region=default_region,
        )

    if not reading.problems:
        return check(form)
    raise ValidationError([*reading.problems, *_business_problems(form, reading, check)])


_generated = converter.get_structure_hook(RegistrationForm)


def _structure_form(body: object, _: object) -> RegistrationForm:
    # A well-formed body (every stored registration) takes cattrs' generated reader; a body
    # with a structure problem is read again field by field, so every problem comes at once.
    with contextlib.suppress(Exception):  # every failure is read again below, with its path
        generated: RegistrationForm = _generated(body, RegistrationForm)
        return generated
    form, reading = _read(body)
    if not reading.problems:  # pragma: no cover - the generated reader refused it
        return form
    problems = _business_problems(
        form, reading, lambda candidate: validate_registration_form(candidate)
    )
    raise ValidationError(
        [*reading.problems, *(e for e in problems if (e.path, e.code) not in _POLICY_PROBLEMS)]
    )


converter.register_structure_hook(RegistrationForm, _structure_form)


# -- the JSON Schema ------------------------------------------------------------------------------

_SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def _text(required: bool = True, limit: int = _MAX_TEXT) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": limit}
    if required:
        schema["minLength"] = 1
        schema["pattern"] = r"\S"
    return schema


def _choice(keys: list[str], *, optional: bool = False) -> dict[str, Any]:
    return {"type": "string", "enum": [*([""] if optional else []), *keys]}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def registration_form_schema(policy: RegistrationPolicy | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a registration form's JSON body.

    The body :func:`read_registration_form` and ``from_dict(RegistrationForm,
    body)`` read: the four sections, their required fields and types, text
    lengths, e-mail addresses and dates as string formats (``email``,
    ``date``), money as ``{"amount": "<decimal string>", "currency": "<ISO
    4217 code>"}``, and the choices of ``policy`` (the default
    :class:`RegistrationPolicy` when None) as enums: the project
    priorities, the mail platforms, the end user's roles and the products
    when the policy lists any. Rules no schema can say (a free-mail domain, a
    postal code of the address's country, a close date in the past, a
    telephone number that does not exist) are the form's validation's. A
    fresh dict each call, safe to change.

    >>> schema = registration_form_schema()
    >>> schema["required"]
    ['company', 'partner', 'end_user', 'opportunity']
    >>> schema["properties"]["opportunity"]["properties"]["priority"]["enum"]
    ['high', 'medium', 'low']
    """
    policy = policy or RegistrationPolicy()
    if not isinstance(policy, RegistrationPolicy):
        raise ValidationError.single("policy", "invalid", "expected a RegistrationPolicy")
    email = {"type": "string", "format": "email", "maxLength": 320}
    optional_email = {"anyOf": [{"const": ""}, email]}
    day = {"type": "string", "format": "date"}
    products = [product.key for product in policy.products]
    address_fields = [field.name for field in attrs.fields(Address)]
    address = _object(
        {
            name: (
                {"type": "string", "pattern": "^[A-Za-z]{2}$"}
                if name == "country_code"
                else _text(required=False)
            )
            for name in address_fields
        },
        ["country_code"],
    )
    money = _object(
        {
            "amount": {
                "type": "string",
                "pattern": r"^(?!0*\.?0*$)[0-9]+(\.[0-9]+)?$",
                "description": "a positive decimal number, as a string",
            },
            "currency": {
                "type": "string",
                "pattern": "^[A-Z]{3}$",
                "description": "an ISO 4217 currency code",
            },
        },
        ["amount", "currency"],
    )
    return {
        "$schema": _SCHEMA_URI,
        "title": "Deal registration form",
        "type": "object",
        "properties": {
            "company": _object({"name": _text(), "domain": _text()}, ["name", "domain"]),
            "partner": _object(
                {
                    "contact_name": _text(),
                    "contact_phone": _text(),
                    "company_name": _text(required=False),
                    "contact_email": optional_email,
                    "sales_lead_name": _text(required=False),
                    "sales_lead_email": optional_email,
                },
                ["contact_name", "contact_phone"],
            ),
            "end_user": _object(
                {
                    "first_name": _text(),
                    "last_name": _text(),
                    "email": email,
                    "phone": _text(),
                    "position": _text(),
                    "role": _choice([role.key for role in policy.end_user_roles]),
                    "address": {"$ref": "#/$defs/address"},
                },
                ["first_name", "last_name", "email", "phone", "position", "role", "address"],
            ),
            "opportunity": _object(
                {
                    "product": _choice(products) if products else _text(),
                    "users": {"type": "integer", "minimum": 1, "maximum": _MAX_USERS},
                    "projected_value": {"$ref": "#/$defs/money"},
                    "close_date": day,
                    "budget_approved": {"type": "boolean"},
                    "priority": _choice([c.key for c in policy.project_priorities]),
                    "problems": _text(limit=_MAX_PROBLEMS),
                    "meeting_date": {"anyOf": [day, {"type": "null"}]},
                    "migrating_to": _choice([c.key for c in policy.mail_platforms], optional=True),
                },
                [
                    "product",
                    "users",
                    "projected_value",
                    "close_date",
                    "budget_approved",
                    "priority",
                    "problems",
                ],
            ),
        },
        "required": [name for name, _ in _SECTIONS],
        "additionalProperties": False,
        "$defs": {"address": address, "money": money},
    }
