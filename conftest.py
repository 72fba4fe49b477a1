"""Run every example in the docs and the README as a test (Sybil), and skip non-test files."""

from collections.abc import Iterable
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers import markdown, myst
from sybil.parsers.myst.lexers import DirectiveLexer

_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

collect_ignore = ["docs/conf.py", "noxfile.py", "bench", "examples", "src/partnerkit/__main__.py"]


def _keep_text(example: Example) -> None:
    name, text = example.parsed
    example.namespace[name] = text


class NamedTomlParser:
    """A ``{code-block} toml`` with ``:name: x`` puts its text in the page's namespace as ``x``.

    A page shows a program file as TOML (highlighted, easy to copy) and the
    Python examples after it load that very text.
    """

    def __init__(self) -> None:
        self._lexer = DirectiveLexer(directive="code-block", arguments="toml")

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self._lexer(document):
            name = region.lexemes["options"].get("name")
            if name:
                region.parsed = (name, str(region.lexemes["source"]))
                region.evaluator = _keep_text
                yield region


pytest_collect_file = (
    Sybil(
        parsers=[myst.PythonCodeBlockParser(doctest_optionflags=_FLAGS), NamedTomlParser()],
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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With pytest-xdist (``-n``), run each page's examples on one worker, in order.

    The examples of a page share its namespace (an import at the top serves
    the whole page), so a page split across workers fails with NameErrors.
    Every other test is still scheduled on its own.
    """
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class PagesTogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".md") else nodeid

    return PagesTogether(config, log)
