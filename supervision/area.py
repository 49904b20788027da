"""The supervision area as the application sees it (listed in :mod:`app.areas`)."""

from __future__ import annotations

from datetime import timedelta

from app.area import Area, Panel, Periodic
from supervision import demo, jobs, routes
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

AREA = Area(
    name="supervision",
    handlers=routes.HANDLERS,
    periodic=[Periodic(jobs.supervision_weekly_reminder, every=timedelta(hours=6))],
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
    labels={"kinds": routes.KIND_LABELS, "record_kinds": routes.RECORD_LABELS},
    panels=[Panel("case", "supervision/_case_sessions.html", routes.case_sessions_panel)],
)
