"""The errors partnerkit raises: one root, the fitting built-ins, facts kept as attributes."""

from __future__ import annotations

import pickle

import pytest

import partnerkit
from partnerkit.core import errors as errors_module
from partnerkit.core.errors import (
    Conflict,
    CurrencyMismatch,
    FieldError,
    InvalidTransition,
    NotFound,
    PartnerkitError,
    PermissionDenied,
    ValidationError,
    join_path,
)

ERROR_CLASSES = [
    getattr(errors_module, name)
    for name in errors_module.__all__
    if isinstance(getattr(errors_module, name), type)
    and issubclass(getattr(errors_module, name), BaseException)
]


def samples() -> list[PartnerkitError]:
    return [
        ValidationError.single("lines.2.quantity", "out_of_range", "must be positive"),
        NotFound("partner", "p-1"),
        CurrencyMismatch("EUR", "USD", "add"),
        PermissionDenied("alice", "approve", "deal d-7", "not a channel manager"),
        Conflict("deal", "d-7", "stale write", expected_version=3, actual_version=4),
        Conflict("partner", "p-1", "duplicate", field="tax_id"),
        InvalidTransition("deal", "d-7", "draft", "approved", "must be submitted first"),
    ]


def test_every_error_class_derives_from_partnerkit_error() -> None:
    assert len(ERROR_CLASSES) >= 7
    for cls in ERROR_CLASSES:
        assert issubclass(cls, PartnerkitError), cls


def test_errors_are_exported_from_the_package_root() -> None:
    for cls in ERROR_CLASSES:
        assert getattr(partnerkit, cls.__name__) is cls


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ValidationError, ValueError),
        (CurrencyMismatch, ValueError),
        (NotFound, LookupError),
        (PermissionDenied, PermissionError),
    ],
)
def test_leaf_errors_derive_from_the_fitting_builtin(
    cls: type[PartnerkitError], builtin: type[Exception]
) -> None:
    assert issubclass(cls, PartnerkitError)
    assert issubclass(cls, builtin)


@pytest.mark.parametrize("error", samples(), ids=lambda e: type(e).__name__)
def test_one_except_clause_catches_every_error(error: PartnerkitError) -> None:
    with pytest.raises(PartnerkitError):
        raise error


def test_code_catching_builtins_keeps_working() -> None:
    with pytest.raises(ValueError, match="out_of_range"):
        raise ValidationError.single("x", "out_of_range", "too big")
    with pytest.raises(LookupError):
        raise NotFound("partner", "p-1")
    with pytest.raises(PermissionError):
        raise PermissionDenied("alice", "approve", "deal d-7")


# -- ValidationError -------------------------------------------------------------------------


def test_validation_error_needs_at_least_one_field_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ValidationError([])
    with pytest.raises(ValueError, match="at least one"):
        ValidationError(iter(()))


def test_validation_error_keeps_every_field_in_order() -> None:
    found = [
        FieldError("name", "required", "name is required"),
        FieldError("lines.2.quantity", "out_of_range", "must be positive"),
    ]
    error = ValidationError(iter(found))
    assert error.errors == tuple(found)
    assert error.paths == ("name", "lines.2.quantity")


def test_validation_error_message_names_every_field_and_code() -> None:
    error = ValidationError(
        [
            FieldError("name", "required", "name is required"),
            FieldError("", "invalid", "not a table"),
        ]
    )
    text = str(error)
    assert text.startswith("2 invalid fields: ")
    assert "name: name is required [required]" in text
    assert "<input>: not a table [invalid]" in text


def test_validation_error_message_for_one_field_is_singular() -> None:
    text = str(ValidationError.single("currency", "invalid", "'XXY' is unknown"))
    assert text == "1 invalid field: currency: 'XXY' is unknown [invalid]"


def test_single_builds_one_field_error() -> None:
    error = ValidationError.single("a.b", "unknown", "unknown key")
    assert error.errors == (FieldError("a.b", "unknown", "unknown key"),)


def test_prefixed_puts_every_path_under_the_prefix() -> None:
    error = ValidationError(
        [FieldError("amount", "invalid", "bad"), FieldError("", "invalid", "bad input")]
    )
    moved = error.prefixed("lines.1.price")
    assert moved.paths == ("lines.1.price.amount", "lines.1.price")
    assert error.paths == ("amount", "")
    assert error.prefixed("").paths == error.paths


def test_field_error_prefixed_with_nothing_is_unchanged() -> None:
    error = FieldError("amount", "invalid", "bad")
    assert error.prefixed("") == error
    assert error.prefixed("price") == FieldError("price.amount", "invalid", "bad")


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (("a", 2, "b"), "a.2.b"),
        (("", "a"), "a"),
        (("a", ""), "a"),
        (("", ""), ""),
        (("tiers", 0), "tiers.0"),
    ],
)
def test_join_path_skips_empty_parts(parts: tuple[str | int, ...], joined: str) -> None:
    assert join_path(*parts) == joined


# -- messages and facts ----------------------------------------------------------------------


def test_currency_mismatch_keeps_its_facts_and_names_them() -> None:
    error = CurrencyMismatch("EUR", "USD", "add")
    assert (error.left, error.right, error.operation) == ("EUR", "USD", "add")
    assert str(error) == "cannot add EUR and USD: amounts are in different currencies"


def test_not_found_names_the_kind_and_id() -> None:
    error = NotFound("partner", "p-1")
    assert (error.kind, error.id) == ("partner", "p-1")
    assert str(error) == "no partner with id 'p-1'"


def test_permission_denied_names_actor_permission_resource_and_reason() -> None:
    error = PermissionDenied("alice", "approve", "deal d-7", "not a channel manager")
    assert str(error) == "alice may not approve on deal d-7: not a channel manager"
    assert str(PermissionDenied("bob", "read", "tier gold")) == "bob may not read on tier gold"


def test_conflict_message_mentions_versions_for_stale_writes() -> None:
    stale = Conflict("deal", "d-7", "stale write", expected_version=3, actual_version=4)
    assert (stale.expected_version, stale.actual_version) == (3, 4)
    assert str(stale) == "deal 'd-7': stale write (written from version 3, stored version is 4)"
    duplicate = Conflict("partner", "p-1", "duplicate", field="tax_id")
    assert duplicate.field == "tax_id"
    assert str(duplicate) == "partner 'p-1': duplicate"


def test_invalid_transition_names_both_states_and_the_reason() -> None:
    error = InvalidTransition("deal", "d-7", "draft", "approved", "must be submitted first")
    assert str(error) == "deal 'd-7' cannot go from draft to approved: must be submitted first"


# -- pickling --------------------------------------------------------------------------------


@pytest.mark.parametrize("error", samples(), ids=lambda e: type(e).__name__)
def test_errors_survive_pickling_with_their_facts(error: PartnerkitError) -> None:
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert str(restored) == str(error)
    assert vars(restored) == vars(error)


def test_validation_error_pickles_with_all_its_field_errors() -> None:
    error = ValidationError(
        [FieldError("a", "required", "a is required"), FieldError("b.1", "invalid", "bad")]
    )
    restored = pickle.loads(pickle.dumps(error))
    assert isinstance(restored, ValidationError)
    assert restored.errors == error.errors


def test_not_found_and_currency_mismatch_pickle_with_their_facts() -> None:
    not_found = pickle.loads(pickle.dumps(NotFound("partner", "p-1")))
    assert (not_found.kind, not_found.id) == ("partner", "p-1")
    mismatch = pickle.loads(pickle.dumps(CurrencyMismatch("EUR", "JPY", "compare")))
    assert (mismatch.left, mismatch.right, mismatch.operation) == ("EUR", "JPY", "compare")
