"""Give the classes and functions a package exports the package's own path."""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Iterable, Mapping
from types import CodeType, FunctionType

__all__ = ["publish"]


def publish(package: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Show the classes and functions ``package`` exports under its name, not their module's.

    Each package ``__init__`` calls it last, on its ``__all__``::

        from partnerkit.core._public import publish as _publish

        _publish(__name__, globals(), __all__)

    so that ``repr(partnerkit.deals.DealRegistration)`` reads
    ``<class 'partnerkit.deals.DealRegistration'>`` and tracebacks, pickles
    and the API reference name the path hosts import from.

    Only a class or function defined in a private submodule of ``package``
    (``partnerkit.deals._registration``) and exported under its own name
    changes: constants, type aliases, aliases, and names another package
    defines (``partnerkit.Money`` stays ``partnerkit.core.Money``) keep their
    ``__module__``. A class's methods, properties and nested classes follow
    it, so doctest collects their examples together, from the package (with
    the package's names in scope). Its string annotations are evaluated
    first, in the module that wrote them, because ``typing.get_type_hints``
    (and so cattrs) evaluates them in the module ``__module__`` names; one
    that does not evaluate there (a name imported for type checkers only)
    stays a string, for the package's names.
    """
    private = package + "._"
    for name in names:
        obj = namespace.get(name)
        module = getattr(obj, "__module__", None)
        if (
            not isinstance(module, str)
            or not module.startswith(private)
            or getattr(obj, "__name__", None) != name
        ):
            continue
        if isinstance(obj, type):
            _move_class(obj, module, package)
        elif callable(obj) and isinstance(inspect.unwrap(obj), FunctionType):
            _move_function(obj, module, package)


def _move_class(cls: type, old: str, new: str) -> None:
    _resolve_annotations(cls)
    nested = cls.__qualname__ + "."
    for value in list(vars(cls).values()):
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property):
            parts: tuple[object, ...] = (value.fget, value.fset, value.fdel)
        elif isinstance(value, functools.cached_property):
            parts = (value.func,)
        else:
            parts = (value,)
        for part in parts:
            # Only what the class body defined: a module-level function or class that is
            # merely assigned to a class attribute belongs to its module.
            if getattr(part, "__module__", None) != old or not getattr(
                part, "__qualname__", ""
            ).startswith(nested):
                continue
            if isinstance(part, type):
                _move_class(part, old, new)
            elif callable(part) and isinstance(inspect.unwrap(part), FunctionType):
                _move_function(part, old, new)
    cls.__module__ = new


def _move_function(function: object, old: str, new: str) -> None:
    # A decorated function (functools.lru_cache) moves with the function it wraps.
    seen = set()
    while getattr(function, "__module__", None) == old and id(function) not in seen:
        seen.add(id(function))
        function.__module__ = new
        function = getattr(function, "__wrapped__", None)


def _resolve_annotations(cls: type) -> None:
    own = vars(cls).get("__annotations__")
    if not own or not any(isinstance(value, str) for value in own.values()):
        return
    # The lookup order of typing.get_type_hints: the module's names, then the class's.
    module = vars(sys.modules[cls.__module__])
    scope = dict(vars(cls))
    resolved = {}
    for key, value in own.items():
        resolved[key] = value
        if isinstance(value, str):
            # A name only type checkers import stays a string, for the package's names.
            with contextlib.suppress(Exception):
                resolved[key] = eval(_compiled(value), scope, module)
    cls.__annotations__ = resolved


@functools.cache
def _compiled(annotation: str) -> CodeType:
    # The same few annotations ("str", "date", "Money | None") recur in every module.
    return compile(annotation, "<annotation>", "eval")
