"""The supervision area as the application sees it (listed in :mod:`app.areas`).

Feature packages, each with the area's inner shape (pure modules, service, routes, jobs):
``sessions`` (supervision and intervision, the free-time finder, cadence), ``licences`` (tools,
licences, coverage), ``training`` (training records), ``materials``, ``indicators`` (the
quarterly indicators) and ``files`` (the download of the files three of them keep in the
records' one file store, :mod:`app.records.files`). The tables stay
in one :mod:`supervision.models`, as they refer to each other across features; the access rules
all features share are :mod:`supervision.access`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.area import Area, Panel, Periodic
from app.records.access import record_sections_panel
from supervision import demo
from supervision.files.routes import FilePages
from supervision.indicators.routes import IndicatorApi, IndicatorPages
from supervision.licences.routes import LicenceApi, LicencePages
from supervision.materials.routes import MaterialPages
from supervision.models import (
    Material,
    MaterialRead,
    ReminderSent,
    SessionAction,
    SessionAttendee,
    SessionCase,
    SessionMaterial,
    SupervisionSession,
    Tool,
    ToolLicence,
    ToolUse,
    TrainingEntry,
)
from supervision.personal_data import PERSONAL_DATA
from supervision.sessions.jobs import supervision_weekly_reminder
from supervision.sessions.routes import KIND_LABELS, SessionApi, SessionPages, case_sessions_panel
from supervision.today import head_totals_panel, supervision_panel
from supervision.tools import demo as tools_demo
from supervision.tools import service as tools_service
from supervision.tools.models import ToolObservation, ToolResult, ToolScore
from supervision.tools.routes import ToolResultApi, ToolResultPages
from supervision.training.routes import RECORD_LABELS, TrainingPages


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Supervision's demo, then the tool results of the completed deep cases (which need the
    counsellors' licences from it)."""
    await demo.load(db, now)
    await tools_demo.load_demo(db, now)


AREA = Area(
    name="supervision",
    handlers=[
        SessionPages,
        LicencePages,
        TrainingPages,
        MaterialPages,
        FilePages,
        IndicatorPages,
        SessionApi,
        LicenceApi,
        IndicatorApi,
        ToolResultPages,
        ToolResultApi,
    ],
    periodic=[Periodic(supervision_weekly_reminder, every=timedelta(hours=6))],
    demo=load_demo,
    models=(
        SupervisionSession,
        SessionAttendee,
        SessionCase,
        SessionAction,
        SessionMaterial,
        Tool,
        ToolLicence,
        ToolUse,
        ToolResult,
        ToolScore,
        ToolObservation,
        TrainingEntry,
        Material,
        MaterialRead,
        ReminderSent,
    ),
    labels={"kinds": KIND_LABELS, "record_kinds": RECORD_LABELS},
    panels=[
        Panel("case", "supervision/_case_sessions.html", case_sessions_panel),
        Panel("me", "start/_supervision.html", supervision_panel),
        Panel("me", "start/_head_totals.html", head_totals_panel),
        record_sections_panel(tools_service.record_sections),
    ],
    personal_data=PERSONAL_DATA,
)
