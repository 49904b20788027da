"""The scheduling area as the application sees it (listed in :mod:`app.areas`)."""

from __future__ import annotations

from datetime import timedelta

from app.area import Area, Panel, Periodic
from app.settings import Settings
from scheduling import booking_jobs, booking_routes, demo, rota_jobs, rota_routes
from scheduling.cli import rota
from scheduling.feeds import routes as feed_routes
from scheduling.feeds.models import FeedItem, FeedToken
from scheduling.models import (
    Booking,
    Duty,
    EligibilityRuleSet,
    RotaRun,
    Slot,
    Under25WindowRow,
)


def rate_limits(settings: Settings) -> list:  # type: ignore[type-arg]
    return [*booking_routes.rate_limits(settings), *feed_routes.rate_limits(settings)]


AREA = Area(
    name="scheduling",
    handlers=[*rota_routes.HANDLERS, *booking_routes.HANDLERS, *feed_routes.HANDLERS],
    rate_limits=rate_limits,
    jobs=[rota_jobs.plan_rota],
    periodic=[Periodic(booking_jobs.queue_booking_reminders, every=timedelta(minutes=15))],
    demo=demo.load_rota,
    commands=[rota],
    labels=booking_routes.BOOKING_LABELS,
    panels=[Panel("me", "rota/_my_duties.html", rota_routes.my_duties_panel)],
    models=(
        Duty,
        Slot,
        Booking,
        EligibilityRuleSet,
        Under25WindowRow,
        RotaRun,
        FeedToken,
        FeedItem,
    ),
)
