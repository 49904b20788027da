"""Dependency types for route handlers (Litestar 3 wants named dependencies marked explicitly)."""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings

DbSession: TypeAlias = NamedDependency[AsyncSession]
AppSettings: TypeAlias = NamedDependency[Settings]
