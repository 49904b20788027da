"""Routes of this scheduling feature (see docs/architecture.md)."""

from __future__ import annotations

from typing import Any

HANDLERS: list[Any] = []
