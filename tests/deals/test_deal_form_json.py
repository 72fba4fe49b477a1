"""The registration form at the JSON boundary: every problem at once, and its JSON Schema."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from partnerkit.contacts import ContactRole
from partnerkit.core import from_dict, from_json, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.deals import (
    RegistrationForm,
    RegistrationPolicy,
    read_registration_form,
    registration_form_schema,
    validate_registration_form,
)
from partnerkit.locale import Choice

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deals.md"
TODAY = date(2026, 12, 1)


def docs_bodies() -> list[dict[str, Any]]:
    """The JSON form bodies of docs/deals.md."""
    blocks = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    bodies = [json.loads(block) for block in blocks]
    return [body for body in bodies if isinstance(body, dict) and "opportunity" in body]


BODIES = docs_bodies()
BODY = BODIES[0]


def validator(policy: RegistrationPolicy | None = None) -> jsonschema.Draft202012Validator:
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return jsonschema.Draft202012Validator(registration_form_schema(policy), format_checker=checker)


def problems(call: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [(e.path, e.code) for e in caught.value.errors]


def changed(**changes: Any) -> dict[str, Any]:
    """``BODY`` with ``changes`` (``"opportunity.users": 0``; ``...`` removes the key)."""
    body = copy.deepcopy(BODY)
    for path, value in changes.items():
        *parents, name = path.split("__")
        target = body
        for part in parents:
            target = target[part]
        if value is Ellipsis:
            del target[name]
        else:
            target[name] = value
    return body


# -- the docs' examples --------------------------------------------------------------------------


def test_the_docs_show_a_body_and_it_is_valid_for_the_schema_and_the_reader() -> None:
    assert BODIES
    jsonschema.Draft202012Validator.check_schema(registration_form_schema())
    for body in BODIES:
        assert list(validator().iter_errors(body)) == []
        form = read_registration_form(body, today=TODAY)
        assert form.company.domain == "acme.co.uk"
        assert from_dict(RegistrationForm, body) == from_json(RegistrationForm, json.dumps(body))


def test_a_stored_form_reads_back_as_it_was_and_is_valid_for_the_schema() -> None:
    clean = read_registration_form(BODY, today=TODAY)
    stored = to_dict(clean)
    assert from_dict(RegistrationForm, stored) == clean
    assert list(validator().iter_errors(stored)) == []


# -- every problem at once -------------------------------------------------------------------------

SEVEN = {
    "company__domain": "someone@gmail.com",
    "end_user__email": "ada at acme",
    "opportunity__users": "many",
    "opportunity__close_date": "soon",
    "opportunity__priority": "urgent",
    "opportunity__colour": "red",
}


def seven_problems() -> dict[str, Any]:
    body = changed(**SEVEN)
    body["end_user"]["address"]["postal_code"] = "zz"
    return body


def test_the_reader_reports_structure_and_business_problems_in_one_error() -> None:
    found = problems(lambda: read_registration_form(seven_problems(), today=TODAY))
    assert sorted(found) == sorted(
        [
            ("company.domain", "free_mail"),
            ("end_user.address.postal_code", "invalid"),
            ("end_user.email", "invalid"),
            ("opportunity.close_date", "invalid"),
            ("opportunity.colour", "unknown"),
            ("opportunity.priority", "invalid_choice"),
            ("opportunity.users", "invalid"),
        ]
    )


def test_from_dict_reports_the_business_problems_that_hold_in_every_program() -> None:
    found = problems(lambda: from_dict(RegistrationForm, seven_problems()))
    # The free-mail domain and the priority depend on the program's lists: not from_dict's.
    assert sorted(found) == [
        ("end_user.address.postal_code", "invalid"),
        ("end_user.email", "invalid"),
        ("opportunity.close_date", "invalid"),
        ("opportunity.colour", "unknown"),
        ("opportunity.users", "invalid"),
    ]


def test_a_body_that_structures_is_returned_by_from_dict_unchecked() -> None:
    body = changed(opportunity__priority="urgent", opportunity__users=0)
    form = from_dict(RegistrationForm, body)
    assert form.opportunity.users == 0
    assert problems(lambda: validate_registration_form(form)) == [
        ("opportunity.users", "out_of_range"),
        ("opportunity.priority", "invalid_choice"),
    ]


def test_a_field_that_did_not_structure_is_reported_once_and_not_checked_again() -> None:
    found = problems(
        lambda: read_registration_form(
            changed(opportunity__users=1.5, opportunity__projected_value={"amount": 1}),
            today=TODAY,
        )
    )
    assert found == [
        ("opportunity.users", "invalid"),
        ("opportunity.projected_value.currency", "required"),
    ]


def test_missing_and_unknown_sections_and_keys_come_with_the_other_problems() -> None:
    body = changed(partner=..., end_user__first_name=..., end_user__address__city=3)
    body["extra"] = 1
    body["opportunity"]["priority"] = "urgent"
    found = problems(lambda: read_registration_form(body, today=TODAY))
    assert sorted(found) == [
        ("end_user.address.city", "invalid"),
        ("end_user.first_name", "required"),
        ("extra", "unknown"),
        ("opportunity.priority", "invalid_choice"),
        ("partner", "required"),
    ]
    # A section that is no object is one problem at its path; the others are still checked.
    found = problems(lambda: from_dict(RegistrationForm, changed(company=[], opportunity__users=0)))
    assert found == [("company", "invalid"), ("opportunity.users", "out_of_range")]
    assert problems(lambda: read_registration_form([])) == [("", "invalid")]


def test_the_reader_checks_with_the_program_policy() -> None:
    policy = RegistrationPolicy(project_priorities=(Choice("urgent", "Urgent"),))
    body = changed(opportunity__priority="urgent", opportunity__users="many")
    assert problems(lambda: read_registration_form(body, policy)) == [
        ("opportunity.users", "invalid")
    ]
    form = read_registration_form(changed(opportunity__priority="urgent"), policy)
    assert form.opportunity.priority == "urgent"


# -- the schema ----------------------------------------------------------------------------------

BAD_BODIES: dict[str, dict[str, Any]] = {
    "missing section": changed(partner=...),
    "unknown key": changed(opportunity__colour="red"),
    "users as text": changed(opportunity__users="many"),
    "users zero": changed(opportunity__users=0),
    "amount as a float": changed(
        opportunity__projected_value={"amount": 12000.5, "currency": "GBP"}
    ),
    "amount zero": changed(opportunity__projected_value={"amount": "0.00", "currency": "GBP"}),
    "no currency": changed(opportunity__projected_value={"amount": "1"}),
    "date not ISO": changed(opportunity__close_date="31/03/2027"),
    "priority off the list": changed(opportunity__priority="urgent"),
    "platform off the list": changed(opportunity__migrating_to="lotus_notes"),
    "role off the list": changed(end_user__role="boss"),
    "bad e-mail": changed(end_user__email="ada at acme"),
    "blank name": changed(company__name="  "),
    "no address": changed(end_user__address=...),
    "no position": changed(end_user__position=...),
    "text too long": changed(company__name="x" * 201),
    "budget as text": changed(opportunity__budget_approved="yes"),
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_bad_body_is_refused_by_the_schema_and_by_the_reader(name: str) -> None:
    body = BAD_BODIES[name]
    assert list(validator().iter_errors(body)), name
    with pytest.raises(ValidationError):
        read_registration_form(body, today=TODAY)


def test_the_schema_takes_its_choices_from_the_policy() -> None:
    default = registration_form_schema()
    opportunity = default["properties"]["opportunity"]["properties"]
    assert opportunity["priority"]["enum"] == ["high", "medium", "low"]
    assert opportunity["product"] == {
        "type": "string",
        "maxLength": 200,
        "minLength": 1,
        "pattern": r"\S",
    }
    roles = default["properties"]["end_user"]["properties"]["role"]["enum"]
    assert "decision_maker" in roles
    assert "" not in roles
    policy = RegistrationPolicy(
        project_priorities=(Choice("urgent", "Urgent"),),
        end_user_roles=(ContactRole("boss", "Boss"),),
    )
    assert (
        list(
            validator(policy).iter_errors(
                changed(opportunity__priority="urgent", end_user__role="boss")
            )
        )
        == []
    )
    assert registration_form_schema() == default  # a fresh dict each time
    registration_form_schema()["required"].clear()
    assert registration_form_schema()["required"] == [
        "company",
        "partner",
        "end_user",
        "opportunity",
    ]
    assert problems(lambda: registration_form_schema("x")) == [("policy", "invalid")]  # type: ignore[arg-type]
