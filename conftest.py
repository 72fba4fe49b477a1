"""Run every example in the docs and the README as a test (Sybil), and skip non-test files."""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

from sybil import Sybil
from sybil.parsers import markdown, myst

_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

collect_ignore = ["docs/conf.py", "noxfile.py", "bench", "examples", "src/partnerkit/__main__.py"]

pytest_collect_file = (
    Sybil(
        parsers=[myst.PythonCodeBlockParser(doctest_optionflags=_FLAGS)],
        path="docs",
        patterns=["*.md"],
        excludes=["_build/*"],
        name="docs",
    )
    + Sybil(
        parsers=[markdown.PythonCodeBlockParser(doctest_optionflags=_FLAGS)],
        path=".",
        patterns=["README.md"],
        name="readme",
    )
).pytest()
