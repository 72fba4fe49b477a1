"""Program-file errors carry the line and column where the problem was written."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_program_areas import FULL, PROGRAM

from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.program import Program
from partnerkit.program._locate import TomlPositions


def errors_of(text: str) -> dict[str, FieldError]:
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(text)
    return {error.path: error for error in caught.value.errors}


def place(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """The 1-based line and column of the ``occurrence``-th ``needle`` in ``text``."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_a_bad_key_in_every_table_is_placed_at_its_line_and_column() -> None:
    broken = (
        FULL.replace('key = "northwind-partners"', 'key = "Northwind Partners"')
        .replace("start_month = 7", "start_month = 13")
        .replace('partner_margin = "20"', 'partner_margin = "120"')
        .replace('upgrades = "next_period"', 'upgrades = "never"')
        .replace('"view_dashboard"]', '"fly"]')
        .replace('key = "msp"', 'key = "reseller"')
        .replace('target = "40"', "target = 40.5")
        .replace("review_days = 5", "review_days = 0")
        .replace('unit_price = "4.00"', "unit_price = 4.0")
        .replace("renewal_horizons = [30, 90]", "renewal_horizons = [90, 30]")
        .replace('kind = "new_arr"', 'kind = "nonsense"')
    )
    found = errors_of(broken)
    expected = {
        "program.key": place(broken, 'key = "Northwind'),
        "fiscal.start_month": place(broken, "start_month"),
        # The second level's inline table: the key inside the braces.
        "tiers.levels.1.benefits.partner_margin": place(broken, 'partner_margin = "120"'),
        "tiers.policy.upgrades": place(broken, "upgrades"),
        # The second element of an inline array.
        "permissions.manager.1": place(broken, '"fly"'),
        # The second inline table of an array, its key.
        "partners.types.1.key": place(broken, 'key = "reseller"', 2),
        "scoring.signals.0.target": place(broken, "target = 40.5"),
        "deals.review_days": place(broken, "review_days"),
        "pricing.price_books.0.prices.0.unit_price": place(broken, "unit_price"),
        "dashboard.renewal_horizons": place(broken, "renewal_horizons"),
        "plans.templates.0.sections.0.objectives.0.kind": place(broken, 'kind = "nonsense"'),
    }
    assert set(found) == set(expected)
    for path, (line, column) in expected.items():
        assert (found[path].line, found[path].column) == (line, column), path
    # The column of an inline key is not 1: the locator follows inside the braces.
    assert found["tiers.levels.1.benefits.partner_margin"].column == 14


def test_arrays_of_tables_are_counted_per_parent_element() -> None:
    text = (
        PROGRAM
        + """
[[plans.templates]]
id = "first"
name = "First"
[[plans.templates.sections]]
key = "a"
title = "A"
[[plans.templates.sections.objectives]]
key = "one"
title = "One"
kind = "new_arr"

[[plans.templates]]
id = "second"
name = "Second"
[[plans.templates.sections]]
key = "b"
title = "B"
[[plans.templates.sections.objectives]]
key = "one"
title = "One"
kind = "new_arr"
[[plans.templates.sections.objectives]]
key = "two"
title = "Two"
kind = "nonsense"
"""
    )
    found = errors_of(text)
    path = "plans.templates.1.sections.0.objectives.1.kind"
    assert path in found, list(found)
    assert (found[path].line, found[path].column) == place(text, 'kind = "nonsense"')
    positions = TomlPositions(text)
    # Each [[...]] header is its element; the second template's first section is its own 0.
    assert positions.find("plans.templates.1") == place(text, "[[plans.templates]]", 2)
    assert positions.find("plans.templates.1.sections.0") == place(
        text, "[[plans.templates.sections]]", 2
    )


def test_an_unknown_table_is_placed_at_its_header_and_a_missing_key_at_its_table() -> None:
    text = PROGRAM + '\n[fiscal]\nstart_month = 7\n\n[colours]\naccent = "teal"\n'
    found = errors_of(text)
    assert (found["colours"].line, found["colours"].column) == place(text, "[colours]")
    assert found["colours"].code == "unknown"
    assert (found["fiscal.kind"].line, found["fiscal.kind"].column) == place(text, "[fiscal]")


def test_dotted_keys_quoted_keys_and_multi_line_values_are_followed() -> None:
    text = (
        '[program]\nkey = "northwind-partners"\nname = """Northwind\n[fiscal]\nkind = 1\n"""\n'
        "currency = 'EUR'\n"
        "fiscal.kind = 'monthly'\n"
        '"fiscal".start_month = 13 # a comment [deals]\n'
        "dashboard.renewal_horizons = [\n  30,\n  # a comment\n  90,\n  30,\n]\n"
    )
    # Dotted keys under [program] make its sub-tables: checked for positions only.
    positions = TomlPositions(text)
    assert positions.find("program.currency") == place(text, "currency")
    assert positions.find("program.fiscal.kind") == place(text, "fiscal.kind")
    assert positions.find("program.fiscal.start_month") == place(text, '"fiscal".start_month')
    assert positions.find("program.dashboard.renewal_horizons.2") == (14, 3)
    # The header-like text inside the multi-line string made no table.
    assert positions.find("fiscal") is None
    assert positions.find("program.nothing.here") == (1, 1)
    assert positions.find("") is None


def test_a_syntax_error_is_one_invalid_toml_error_with_its_line_and_column() -> None:
    text = PROGRAM + "\n[fiscal]\nstart_month = = 7\n"
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(text)
    (error,) = caught.value.errors
    assert (error.path, error.code) == ("", "invalid_toml")
    line, _ = place(text, "start_month = = 7")
    assert (error.line, error.column) == (line, 15)
    assert f"(line {line}, column 15)" in str(caught.value)
    assert "at line" not in error.message
    # An unclosed array ends the document: placed just after its last character.
    with pytest.raises(ValidationError) as unclosed:
        Program.from_toml_string("[program]\nkey = [1,\n2")
    assert (unclosed.value.errors[0].line, unclosed.value.errors[0].column) == (3, 2)


def test_errors_of_a_dict_have_no_position_and_equal_errors_without_one() -> None:
    with pytest.raises(ValidationError) as caught:
        Program.from_dict({"program": {"key": "x", "name": "X", "currency": "EURO"}})
    (error,) = caught.value.errors
    assert (error.line, error.column) == (None, None)
    assert "line" not in str(caught.value)
    assert error == FieldError(error.path, error.code, error.message)
    assert repr(FieldError("a", "b", "c")) == "FieldError(path='a', code='b', message='c')"


def test_positions_survive_prefixing_pickling_and_the_message() -> None:
    error = FieldError("start_month", "out_of_range", "13 is outside 1..12", line=8, column=1)
    assert error.prefixed("fiscal") == FieldError(
        "fiscal.start_month", "out_of_range", "13 is outside 1..12", line=8, column=1
    )
    assert error != FieldError("start_month", "out_of_range", "13 is outside 1..12")
    refusal = ValidationError([error]).prefixed("fiscal")
    assert pickle.loads(pickle.dumps(refusal)).errors == refusal.errors
    assert str(refusal) == (
        "1 invalid field: fiscal.start_month (line 8, column 1): 13 is outside 1..12 [out_of_range]"
    )
    assert error.at(3, None).where == "line 3"


def test_the_locator_never_raises_on_text_it_cannot_follow() -> None:
    for text in (
        "",
        "[",
        "a = ",
        'a = "x',
        "[[a]]\n[[a",
        "a = [1, {b = ",
        "\x00",
        "a.'b",
        "a = [1, }]",
        "a = {,}}",
    ):
        positions = TomlPositions(text)
        positions.find("a.b.0")


# -- property: a generated document with one bad key ------------------------------------------

names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
scalars = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.text(
        st.characters(min_codepoint=32, max_codepoint=126, exclude_characters='"\\'), max_size=8
    ).map(lambda t: f'"{t}"'),
    st.sampled_from(["true", "1.5", "2026-01-01", "'lit'", '"""multi\nline\n[x]"""']),
    st.lists(st.integers(0, 9).map(str), max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
)


# Multi-line strings that hold what looks like headers and keys.
NAME_VALUES = ['"Northwind"', '"""North\n[fiscal]\nzz_x = 1\nwind"""', "'''N\n[[x]]\n'''"]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, str, str]:
    """A TOML program file with extra tables, one unknown key somewhere; (text, path, key)."""
    lines = [
        "[program]",
        'key = "northwind-partners"',
        "name = " + draw(st.sampled_from(NAME_VALUES)),
        'currency = "EUR"',
    ]
    bad_key = draw(names.map(lambda n: f"zz_{n}"))
    bad_table = draw(st.sampled_from(["program", "fiscal", "deals", "dashboard"]))
    style = draw(st.sampled_from(["plain", "inline-before", "inline-after"]))
    tables = {
        "fiscal": ['kind = "monthly"', "start_month = 7"],
        "deals": ["review_days = 5", "protection_days = 90"],
        "dashboard": ["renewal_horizons = [30, 90]"],
    }
    padding = draw(st.lists(names, max_size=3))
    body = {name: list(rows) for name, rows in tables.items()}
    body["program"] = []
    target = body[bad_table]
    bad_line = f"{bad_key} = {draw(scalars)}"
    if style == "plain":
        target.insert(draw(st.integers(0, len(target))), bad_line)
    elif style == "inline-before":
        target.insert(0, f"{bad_key} = {{ a = 1, b = [1, 2] }}")
    else:
        target.append(f"zz_before = 1\n{bad_key} = {{ a = {{ b = 1 }} }}")
    # Comments and blank lines between anything.
    for name in padding:
        lines.append(f"# {name} = [ ''' \"\"\"")
    lines.extend(body["program"])
    for name in ("fiscal", "deals", "dashboard"):
        lines.append("")
        lines.append(f"[{name}]")
        lines.extend(body[name])
    return "\n".join(lines) + "\n", f"{bad_table}.{bad_key}", bad_key


@given(documents())
def test_the_line_of_an_unknown_key_holds_that_key(document: tuple[str, str, str]) -> None:
    text, path, key = document
    found = errors_of(text)
    assert path in found
    error = found[path]
    assert error.line is not None
    assert error.column is not None
    line = text.splitlines()[error.line - 1]
    assert line[error.column - 1 :].startswith(key)
