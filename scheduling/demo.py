"""Demo records of this area, appended to ``app.demo.AREA_LOADERS`` at import."""

from __future__ import annotations
