"""The whole schema: the tables every area claims (``Area.models``), for Alembic and tests."""

from __future__ import annotations

from sqlalchemy import MetaData

from app.areas import AREAS
from app.db import Base


def metadata() -> MetaData:
    """The schema of every area; each table of it is claimed by exactly one area."""
    claimed = [str(model.__tablename__) for area in AREAS for model in area.models]
    tables = set(Base.metadata.tables)
    if sorted(claimed) != sorted(tables):
        twice = sorted({t for t in claimed if claimed.count(t) > 1})
        raise RuntimeError(
            f"tables claimed by no area: {sorted(tables - set(claimed))}; by two: {twice}"
        )
    return Base.metadata
