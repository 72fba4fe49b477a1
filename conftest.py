"""Run every example in the docs and the README as a test (Sybil), and skip non-test files."""

import importlib.util
import os
import sys
from collections.abc import Iterable
from doctest import ELLIPSIS, NORMALIZE_WHITESPACE
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers import markdown, myst
from sybil.parsers.myst.lexers import DirectiveLexer

_FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

collect_ignore = ["docs/conf.py", "noxfile.py", "bench", "examples", "src/partnerkit/__main__.py"]
if importlib.util.find_spec("fpdf") is None:  # the pdf extra: its module's doctests need it
    collect_ignore.append("src/partnerkit/dashboard/pdf.py")


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
    # Sybil runs a document's examples in order, in one namespace per process. pytest-xdist's
    # default "load" scheduling now and then hands the end of a document to the other
    # worker, where the names its beginning defined do not exist (NameError, then wrong
    # output). Files go to workers whole instead ("loadfile"), which keeps every document
    # on one worker and, with many small test files, is also the faster schedule here.
    if config.getvalue("dist") != "load":
        return None  # a schedule asked for on the command line
    from xdist.scheduler import LoadFileScheduling

    return LoadFileScheduling(config, log)


if "MUTANT_UNDER_TEST" in os.environ:  # `nox -s mutants`: mutmut runs these tests

    def _send_home(function: object) -> None:
        for _ in range(8):  # the function and the ones it wraps
            home = getattr(function, "__globals__", {}).get("__name__", "")
            if home.startswith("partnerkit."):
                function.__module__ = home
            function = getattr(function, "__wrapped__", None)
            if function is None:
                return

    def pytest_collection_finish(session: pytest.Session) -> None:
        # A package shows its functions and classes' methods under the package's path
        # (_public.publish): mutmut finds a function's mutants by the module that wrote it,
        # so give that back.
        for name, module in list(sys.modules.items()):
            if not name.startswith("partnerkit."):
                continue
            for value in list(vars(module).values()):
                if not isinstance(value, type):
                    _send_home(value)
                elif value.__module__.startswith("partnerkit"):
                    for member in list(vars(value).values()):
                        member = getattr(member, "__func__", member)  # static and class methods
                        _send_home(member.fget if isinstance(member, property) else member)
