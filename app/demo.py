"""Demo data for a new user (``bilans demo``, ``bilans serve --demo``): every area's demo loader
(``Area.demo``) in the order :data:`app.areas.AREAS` lists them, as of one moment, in one
transaction, and only into an empty database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.areas import AREAS
from app.db import Base


async def is_empty(db: AsyncSession) -> bool:
    """No row in any table of the schema, leaving out the tables a migration fills (marked
    ``info={"seeded": True}``: the tool catalogue, the question lists)."""
    for table in Base.metadata.sorted_tables:
        if table.info.get("seeded"):
            continue
        if await db.scalar(select(literal(1)).select_from(table).limit(1)) is not None:
            return False
    return True


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Load every area's demo records as of ``now``; the caller checks the database is empty."""
    for area in AREAS:
        if area.demo is not None:
            await area.demo(db, now)
    await db.commit()
