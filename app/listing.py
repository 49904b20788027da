"""SQL side of the staff lists: a column folded for search as :func:`app.paging.fold` folds the
search box, the "every word somewhere" condition, and one page of a statement with its total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.paging import PAGE_SIZE, POLISH_LETTERS, Page, search_words


def folded(expr: Any) -> ColumnElement[str]:
    """``lower()`` of ``expr`` with each Polish letter replaced by its ASCII one (both engines)."""
    for accented, plain in POLISH_LETTERS:
        expr = func.replace(expr, accented, plain)
    return func.lower(expr)


def matches_words(query: str | None, columns: Sequence[Any]) -> ColumnElement[bool] | None:
    """Every word of ``query`` found (folded, as a substring) in one of ``columns``; ``None``
    for a blank query. ``%`` and ``_`` in a word are matched literally."""
    conditions = []
    for word in search_words(query):
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(or_(*(folded(c).like(pattern, escape="\\") for c in columns)))
    return and_(*conditions) if conditions else None


async def paginate(
    db: AsyncSession,
    stmt: Select[Any],
    *,
    asked: int,
    params: Mapping[str, str],
    size: int = PAGE_SIZE,
) -> tuple[Page, list[Any]]:
    """The page ``asked`` of ``stmt`` (ordered by the caller) and its items; a page past the end
    is the last page. Two queries: the count, then the page."""
    total = await db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    page = Page(asked=asked, total=int(total or 0), size=size, params=dict(params))
    items = (await db.scalars(stmt.offset(page.offset).limit(page.size))).unique().all()
    return page, list(items)
