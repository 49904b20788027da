"""The supervision area as the application sees it (listed in :mod:`app.areas`).

Feature packages, each with the area's inner shape (pure modules, service, routes, jobs):
``sessions`` (supervision and intervision, the free-time finder, cadence), ``licences`` (tools,
licences, coverage), ``training`` (training records), ``materials``, ``indicators`` (the
quarterly indicators) and ``files`` (uploaded files, which three of them use). The tables stay
in one :mod:`supervision.models`, as they refer to each other across features; the access rules
all features share are :mod:`supervision.access`.
"""

from __future__ import annotations

from datetime import timedelta

from app.area import Area, Panel, Periodic
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
    UploadedFile,
)
from supervision.sessions.jobs import supervision_weekly_reminder
from supervision.sessions.routes import KIND_LABELS, SessionApi, SessionPages, case_sessions_panel
from supervision.training.routes import RECORD_LABELS, TrainingPages

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
    ],
    periodic=[Periodic(supervision_weekly_reminder, every=timedelta(hours=6))],
    demo=demo.load,
    models=(
        UploadedFile,
        SupervisionSession,
        SessionAttendee,
        SessionCase,
        SessionAction,
        SessionMaterial,
        Tool,
        ToolLicence,
        ToolUse,
        TrainingEntry,
        Material,
        MaterialRead,
        ReminderSent,
    ),
    labels={"kinds": KIND_LABELS, "record_kinds": RECORD_LABELS},
    panels=[Panel("case", "supervision/_case_sessions.html", case_sessions_panel)],
)
