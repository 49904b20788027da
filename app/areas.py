"""The one list of areas: the app, the job runners, the command line, the demo loader and the
schema all take what they need from it. Nothing else imports an area's insides to wire it up.

Order matters once: demo loaders run in this order (the records' people and places first)."""

from __future__ import annotations

from app.area import Area
from app.records.area import AREA as RECORDS
from app.system import AREA as SYSTEM
from scheduling.area import AREA as SCHEDULING
from supervision.area import AREA as SUPERVISION

AREAS: tuple[Area, ...] = (SYSTEM, RECORDS, SCHEDULING, SUPERVISION)
