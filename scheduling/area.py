"""The scheduling area as the application sees it (listed in :mod:`app.areas`): the duty rota,
office hours, booking and the calendar feeds, each a package of its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar.middleware.base import DefineMiddleware
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import Area, Panel, Periodic
from app.settings import Settings
from scheduling.booking import api as booking_api
from scheduling.booking import public_routes as booking_pages
from scheduling.booking import staff_routes as booking_staff
from scheduling.booking.jobs import queue_booking_reminders
from scheduling.booking.models import Booking, EligibilityRuleSet, Under25WindowRow
from scheduling.cases import demo as case_demo
from scheduling.cases import plan_routes
from scheduling.cases import routes as case_routes
from scheduling.feeds import routes as feed_routes
from scheduling.feeds.models import FeedItem, FeedToken
from scheduling.models import Duty, Slot
from scheduling.office_hours import demo as office_hours_demo
from scheduling.office_hours import routes as office_hours_routes
from scheduling.office_hours.models import OfficeHoursWindow
from scheduling.rota import demo as rota_demo
from scheduling.rota import jobs as rota_jobs
from scheduling.rota import routes as rota_routes
from scheduling.rota.cli import rota
from scheduling.rota.models import RotaRun


def rate_limits(settings: Settings) -> list[DefineMiddleware]:
    return [*booking_pages.rate_limits(settings), *feed_routes.rate_limits(settings)]


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Office-hours windows first (the rota keeps them free), then the rota, then the office
    hours of the same weeks (around the rota's duties), then the cases' meetings (in the rota's
    published slots from today on)."""
    await office_hours_demo.add_demo_windows(db)
    await rota_demo.load_rota(db, now)
    await office_hours_demo.publish_demo_office_hours(db, now)
    await case_demo.load_case_stories(db, now)


AREA = Area(
    name="scheduling",
    handlers=[
        *rota_routes.HANDLERS,
        *office_hours_routes.HANDLERS,
        *booking_api.HANDLERS,
        *booking_pages.HANDLERS,
        *booking_staff.HANDLERS,
        *feed_routes.HANDLERS,
        *case_routes.HANDLERS,
        *plan_routes.HANDLERS,
    ],
    rate_limits=rate_limits,
    jobs=[rota_jobs.plan_rota],
    periodic=[Periodic(queue_booking_reminders, every=timedelta(minutes=15))],
    demo=load_demo,
    commands=[rota],
    models=(
        Duty,
        Slot,
        Booking,
        EligibilityRuleSet,
        Under25WindowRow,
        RotaRun,
        FeedToken,
        FeedItem,
        OfficeHoursWindow,
    ),
    labels=booking_pages.BOOKING_LABELS,
    panels=[
        Panel("me", "rota/_my_duties.html", rota_routes.my_duties_panel),
        Panel("me", "office_hours/_my_hours.html", office_hours_routes.my_office_hours_panel),
        Panel("me", "cases/_at_risk.html", case_routes.at_risk_panel),
        Panel("case", "cases/_story.html", case_routes.case_story_panel),
    ],
)
