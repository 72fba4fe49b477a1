"""Reading every record of a query, page by page (shared by the use cases)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from partnerkit.storage import IndexValue, Repository

_T = TypeVar("_T")


def every(
    repository: Repository[_T],
    where: Mapping[str, IndexValue | Sequence[IndexValue]],
    *,
    limit: int,
    order_by: str | None = None,
) -> Iterator[_T]:
    """Every record matching ``where``, one page of ``limit`` read at a time as it is needed."""
    cursor: str | None = None
    while True:
        page = repository.list(where, order_by=order_by, limit=limit, cursor=cursor)
        yield from page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
