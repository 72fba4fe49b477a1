"""Where a dotted path of a parsed TOML document was written: its line and column in the text.

Python's ``tomllib`` (and ``tomli``, ``tomlkit``, the other maintained TOML
parsers for Python) give the parsed values but not where they were written, so
this module scans the text of a document ``tomllib`` has already accepted and
records where every key, table header and array element starts. It follows
``[a.b]`` tables, ``[[a.b]]`` arrays of tables (counting the elements of each
array, nested ones per parent element), dotted keys, inline tables, arrays,
and every kind of string, including multi-line ones. It is lenient by design:
on anything it does not follow it stops and keeps what it found, and a path it
has no record of is placed at its nearest recorded parent (the table's header,
say, for a key that is missing); it never raises.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import sys
from collections.abc import Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["TomlPositions", "decode_error_position"]

Key = tuple[str, ...]

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_MAX_DEPTH = 64
_SCALAR_END = frozenset(",]}#\n")


def decode_error_position(exc: ValueError, text: str) -> tuple[int, int]:
    """The 1-based line and column of a ``TOMLDecodeError`` (its attributes, or its message)."""
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    if isinstance(line, int) and isinstance(column, int):
        return line, column
    match = _AT.search(str(exc))
    if match:
        return int(match.group(1)), int(match.group(2))
    # "(at end of document)": just after the last character.
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


class TomlPositions:
    r"""The positions of the keys, table headers and array elements of one TOML text.

    >>> positions = TomlPositions('[fiscal]\nstart_month = 13\n')
    >>> positions.find("fiscal.start_month"), positions.find("fiscal.kind")
    ((2, 1), (1, 1))
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines = [i for i, char in enumerate(text) if char == "\n"]
        self._found: dict[Key, int] = {}
        self._arrays: dict[Key, int] = {}
        # A locator keeps what it found, whatever it meets.
        with contextlib.suppress(Exception):
            self._document()

    def find(self, path: str) -> tuple[int, int] | None:
        """The 1-based (line, column) of ``path``, or of its nearest recorded parent, or None."""
        parts = tuple(path.split(".")) if path else ()
        for size in range(len(parts), 0, -1):
            offset = self._found.get(parts[:size])
            if offset is not None:
                return self._position(offset)
        return None

    # -- positions ------------------------------------------------------------------------------

    def _position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def _record(self, key: Key, offset: int) -> None:
        self._found.setdefault(key, offset)

    # -- the scanner ----------------------------------------------------------------------------

    def _document(self) -> None:
        text = self._text
        i = 0
        table: Key = ()
        while i < len(text):
            i = self._skip(i, newlines=True)
            if i >= len(text):
                return
            if text.startswith("[[", i):
                end = self._key_end(i + 2, "]")
                parts = self._resolve(self._parts(text[i + 2 : end]), i)
                self._record(parts, i)
                index = self._arrays.get(parts, 0)
                self._arrays[parts] = index + 1
                table = (*parts, str(index))
                self._record(table, i)
                i = self._line_end(end)
            elif text[i] == "[":
                end = self._key_end(i + 1, "]")
                table = self._resolve(self._parts(text[i + 1 : end]), i)
                self._record(table, i)
                i = self._line_end(end)
            else:
                i = self._key_value(i, table, 0)
                i = self._line_end(i)

    def _resolve(self, parts: Key, offset: int) -> Key:
        """A header's key with the current element of every array of tables on its way."""
        resolved: Key = ()
        for n, part in enumerate(parts):
            resolved = (*resolved, part)
            self._record(resolved, offset)
            if n < len(parts) - 1 and resolved in self._arrays:
                resolved = (*resolved, str(self._arrays[resolved] - 1))
        return resolved

    def _key_value(self, i: int, table: Key, depth: int) -> int:
        """Read ``key = value`` at ``i`` under ``table``; return the offset after the value."""
        end = self._key_end(i, "=")
        parts = self._parts(self._text[i:end])
        for size in range(1, len(parts) + 1):
            self._record((*table, *parts[:size]), i)
        return self._value(end + 1, (*table, *parts), depth)

    def _value(self, i: int, key: Key, depth: int) -> int:
        text = self._text
        i = self._skip(i, newlines=False)
        if depth > _MAX_DEPTH or i >= len(text):
            return len(text)
        for quotes in ('"""', "'''"):
            if text.startswith(quotes, i):
                return self._multiline_string(i + 3, quotes)
        char = text[i]
        if char == '"':
            return self._string_end(i + 1, '"', escapes=True)
        if char == "'":
            return self._string_end(i + 1, "'", escapes=False)
        if char == "[":
            return self._array(i + 1, key, depth + 1)
        if char == "{":
            return self._inline_table(i + 1, key, depth + 1)
        while i < len(text) and text[i] not in _SCALAR_END:
            i += 1
        return i

    def _array(self, i: int, key: Key, depth: int) -> int:
        text = self._text
        index = 0
        while True:
            i = self._skip(i, newlines=True)
            if i >= len(text) or text[i] == "]":
                return i + 1
            if text[i] == ",":
                i += 1
                continue
            self._record((*key, str(index)), i)
            start, i = i, self._value(i, (*key, str(index)), depth)
            if i <= start:
                raise ValueError("an array element that is no value")  # stop scanning
            index += 1

    def _inline_table(self, i: int, key: Key, depth: int) -> int:
        text = self._text
        while True:
            i = self._skip(i, newlines=True)
            if i >= len(text) or text[i] == "}":
                return i + 1
            if text[i] == ",":
                i += 1
                continue
            start, i = i, self._key_value(i, key, depth)
            if i <= start:
                raise ValueError("an inline table entry that is no key and value")

    # -- lexical pieces -------------------------------------------------------------------------

    def _skip(self, i: int, *, newlines: bool) -> int:
        """Skip blanks and comments (and line breaks when ``newlines``)."""
        text = self._text
        while i < len(text):
            char = text[i]
            if char in " \t\r" or (newlines and char == "\n"):
                i += 1
            elif char == "#":
                while i < len(text) and text[i] != "\n":
                    i += 1
            else:
                break
        return i

    def _line_end(self, i: int) -> int:
        end = self._text.find("\n", i)
        return len(self._text) if end < 0 else end + 1

    def _key_end(self, i: int, stop: str) -> int:
        """The offset of ``stop`` after a (dotted, maybe quoted) key starting at ``i``."""
        text = self._text
        while i < len(text) and text[i] != stop:
            if text[i] == '"':
                i = self._string_end(i + 1, '"', escapes=True)
            elif text[i] == "'":
                i = self._string_end(i + 1, "'", escapes=False)
            elif text[i] == "\n":
                raise ValueError("a key without its end")  # stop scanning
            else:
                i += 1
        return i

    def _string_end(self, i: int, quote: str, *, escapes: bool) -> int:
        text = self._text
        while i < len(text) and text[i] != quote:
            if escapes and text[i] == "\\":
                i += 1
            elif text[i] == "\n":
                raise ValueError("a string without its end")
            i += 1
        return i + 1

    def _multiline_string(self, i: int, quotes: str) -> int:
        text = self._text
        while i < len(text):
            if quotes == '"""' and text[i] == "\\":
                i += 2
                continue
            if text.startswith(quotes, i):
                i += 3
                # Up to two more quotes belong to the string ("""a"""" ends in one quote).
                extra = 0
                while extra < 2 and i < len(text) and text[i] == quotes[0]:
                    i += 1
                    extra += 1
                return i
            i += 1
        return i

    def _parts(self, raw: str) -> Key:
        """The parts of a raw (dotted, maybe quoted) key, read by ``tomllib`` itself."""
        data: Mapping[str, object] = tomllib.loads(f"{raw.strip()} = 0")
        parts: list[str] = []
        while isinstance(data, Mapping) and len(data) == 1:
            ((name, value),) = data.items()
            parts.append(name)
            if not isinstance(value, Mapping):
                break
            data = value
        return tuple(parts)
