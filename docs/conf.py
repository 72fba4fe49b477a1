"""Sphinx configuration for the partnerkit documentation."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

# autodoc imports partnerkit from the source tree, so the docs build without an install
# and never document a stale installed copy.
_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent / "src"))

project = "partnerkit"
author = "The partnerkit developers"
copyright = "the partnerkit developers"

try:
    release = _distribution_version("partnerkit")
except PackageNotFoundError:  # building from a checkout that was never installed
    release = "0+unknown"
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
]
# No intersphinx: the docs must build offline, and an unreachable inventory is a warning (-W).

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]  # "term\n: definition" lists in errors.md and program.md

autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

nitpicky = False

html_theme = "furo"
html_title = f"partnerkit {release}"

# -- Domain-area guides -------------------------------------------------------------------------
#
# index.md lists the kernel guides and the reference by hand. Every other top-level page is the
# guide of a domain area (fiscal.md, tiers.md, deals.md, ...), added as the area lands. They go
# into the "Domain areas" toctree in the order of the package map below, unknown names after in
# alphabetical order. A plain ``:glob:`` toctree cannot do this: Sphinx warns (unsuppressibly)
# when a glob matches no page, and a catch-all ``*`` would also pull in api.md and changelog.md.

# Keep in step with index.md: a page listed there and left out here ends up in two toctrees,
# which Sphinx reports, so -W catches the slip.
_LISTED_BY_HAND = {
    "index",
    "quickstart",
    "money",
    "errors",
    "storage",
    "program",
    "api",
    "changelog",
}
_AREA_ORDER = (
    "fiscal",
    "addresses",
    "contacts",
    "partners",
    "tiers",
    "deals",
    "quoting",
    "scoring",
    "scale",
    "plans",
    "dashboard",
    "services",
    "locale",
)
_AREA_MARKER = "<!-- domain-area guides: filled in by conf.py -->"


def _area_pages(srcdir: Path) -> list[str]:
    found = {p.stem for p in srcdir.glob("*.md")} - _LISTED_BY_HAND
    known = [name for name in _AREA_ORDER if name in found]
    return known + sorted(found - set(known))


def _insert_area_toctree(app: Any, docname: str, source: list[str]) -> None:
    if docname != app.config.root_doc or _AREA_MARKER not in source[0]:
        return
    pages = _area_pages(Path(app.srcdir))
    block = ""
    if pages:
        block = (
            "```{toctree}\n:caption: Domain areas\n:maxdepth: 2\n\n" + "\n".join(pages) + "\n```"
        )
    source[0] = source[0].replace(_AREA_MARKER, block)


def _reread_index_when_pages_come_or_go(
    app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    return [app.config.root_doc] if added or removed else []


def _drop_constructor_return_type(
    app: Any, domain: str, objtype: str, contentnode: nodes.Element
) -> None:
    # autodoc suppresses the "Return type: None" of __init__ for classes but not for exceptions.
    if domain != "py" or objtype != "exception":
        return
    for field_list in contentnode.findall(nodes.field_list):
        for field in list(field_list.findall(nodes.field)):
            if field[0].astext() in {"rtype", "Return type"}:
                field_list.remove(field)


def _defining_module(app: Any, modname: str, attribute: str) -> str | None:
    # partnerkit.core._public.publish gives what a package exports the package's path
    # (partnerkit.deals.DealRegistration), but the source viewcode links to is in one of the
    # package's private modules: the one whose code defines the name.
    if not modname.startswith("partnerkit"):
        return None
    top = attribute.partition(".")[0]
    obj = getattr(importlib.import_module(modname), top, None)
    if obj is None:
        return None
    for name, module in sorted(sys.modules.items()):
        if not name.startswith(modname + "._") or vars(module).get(top) is not obj:
            continue
        try:
            analyzer = ModuleAnalyzer.for_module(name)
            analyzer.find_tags()
        except PycodeError:
            continue
        if attribute in analyzer.tags:
            return name
    return None


_plain_for_module = ModuleAnalyzer.for_module.__func__


def _for_module_with_private_parts(cls: type[ModuleAnalyzer], modname: str) -> ModuleAnalyzer:
    # autodoc reads the "#:" comments of a class's attributes (Program.tiers,
    # AreaContext.currency, Stage.APPROVED) from the source of the module its __module__
    # names. publish() sets that to the package (partnerkit.program), whose __init__.py
    # holds none of them: they are in the private module that defines the class. So the
    # package's analyzer also gets the class-attribute comments of its private modules.
    # Module-level constants are left out: api.md writes those out as py:data.
    analyzer = _plain_for_module(cls, modname)
    if not modname.startswith("partnerkit") or any(
        part.startswith("_") for part in modname.split(".")
    ):
        return analyzer
    analyzer.analyze()
    for name in sorted(sys.modules):
        if not name.startswith(modname + "._"):
            continue
        try:
            part = _plain_for_module(cls, name)
            part.analyze()
        except PycodeError:
            continue
        for key, comment in part.attr_docs.items():
            if key[0]:
                analyzer.attr_docs.setdefault(key, comment)
    return analyzer


ModuleAnalyzer.for_module = classmethod(_for_module_with_private_parts)


def setup(app: Any) -> dict[str, Any]:
    app.connect("viewcode-follow-imported", _defining_module)
    app.connect("source-read", _insert_area_toctree)
    # After sphinx.ext.autodoc has added the type hints (priority 500).
    app.connect("object-description-transform", _drop_constructor_return_type, priority=600)
    app.connect("env-get-outdated", _reread_index_when_pages_come_or_go)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
