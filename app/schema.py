"""The whole schema: every area's models, imported in one place for Alembic and tests."""

from __future__ import annotations

from sqlalchemy import MetaData

from app.db import Base


def metadata() -> MetaData:
    import app.models  # noqa: F401
    import scheduling.models  # noqa: F401
    import supervision.models  # noqa: F401

    return Base.metadata
