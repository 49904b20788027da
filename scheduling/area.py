"""The scheduling area as the application sees it (listed in :mod:`app.areas`): the duty rota,
office hours, booking and the calendar feeds, each a package of its own."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar.middleware.base import DefineMiddleware
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import Area, Panel, Periodic
from app.records.access import record_sections_panel
from app.settings import Settings
from scheduling.aftercare import demo as aftercare_demo
from scheduling.aftercare import public_routes as survey_pages
from scheduling.aftercare import routes as aftercare_routes
from scheduling.aftercare import service as aftercare_service
from scheduling.aftercare.jobs import take_aftercare_steps
from scheduling.aftercare.models import (
    AftercareTask,
    OutcomeSurvey,
    Voucher,
    VoucherHelp,
    VoucherTotal,
)
from scheduling.booking import api as booking_api
from scheduling.booking import form_pages as booking_form
from scheduling.booking import links_pages
from scheduling.booking import public_routes as booking_pages
from scheduling.booking import staff_routes as booking_staff
from scheduling.booking.calendar_links import booking_calendar_links
from scheduling.booking.jobs import queue_booking_reminders
from scheduling.booking.models import Booking, EligibilityRuleSet, Under25WindowRow
from scheduling.booking.today import duty_bookings_panel, team_week_panel
from scheduling.cases import demo as case_demo
from scheduling.cases import plan_routes
from scheduling.cases import routes as case_routes
from scheduling.documents import demo as documents_demo
from scheduling.documents import routes as documents_routes
from scheduling.documents import service as documents_service
from scheduling.documents.models import MODELS as DOCUMENT_MODELS
from scheduling.feeds import routes as feed_routes
from scheduling.feeds.models import FeedItem, FeedToken
from scheduling.models import Duty, Slot
from scheduling.office_hours import demo as office_hours_demo
from scheduling.office_hours import routes as office_hours_routes
from scheduling.office_hours.models import OfficeHoursWindow
from scheduling.portfolio import demo as portfolio_demo
from scheduling.portfolio import routes as portfolio_routes
from scheduling.portfolio import service as portfolio_service
from scheduling.portfolio.models import CompetenceEvidence, CompetenceRow, PortfolioItem
from scheduling.privacy import api as privacy_api
from scheduling.privacy import merge_routes as privacy_merge
from scheduling.privacy import public_routes as privacy_pages
from scheduling.privacy import routes as privacy_routes
from scheduling.privacy import rules as privacy_rules
from scheduling.privacy.cli import privacy
from scheduling.privacy.jobs import erase_expired_participants
from scheduling.record import demo as record_demo
from scheduling.record import models as record
from scheduling.record import routes as record_routes
from scheduling.record import service as record_service
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
    await record_demo.load_demo(db, now)
    await aftercare_demo.load_aftercare(db, now)
    await portfolio_demo.load_demo(db, now)
    await documents_demo.load_demo(db, now)


AREA = Area(
    name="scheduling",
    handlers=[
        *rota_routes.HANDLERS,
        *office_hours_routes.HANDLERS,
        *booking_api.HANDLERS,
        *booking_pages.HANDLERS,
        *links_pages.HANDLERS,
        *booking_staff.HANDLERS,
        *feed_routes.HANDLERS,
        *case_routes.HANDLERS,
        *plan_routes.HANDLERS,
        *aftercare_routes.HANDLERS,
        *survey_pages.HANDLERS,
        *record_routes.HANDLERS,
        *portfolio_routes.HANDLERS,
        *documents_routes.HANDLERS,
        *privacy_routes.HANDLERS,
        *privacy_pages.HANDLERS,
        *privacy_api.HANDLERS,
        *privacy_merge.HANDLERS,
    ],
    rate_limits=rate_limits,
    jobs=[rota_jobs.plan_rota],
    periodic=[
        Periodic(queue_booking_reminders, every=timedelta(minutes=15)),
        Periodic(take_aftercare_steps, every=timedelta(hours=1)),
        Periodic(erase_expired_participants, every=timedelta(days=1)),
    ],
    demo=load_demo,
    commands=[rota, privacy],
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
        Voucher,
        VoucherTotal,
        VoucherHelp,
        AftercareTask,
        OutcomeSurvey,
        PortfolioItem,
        CompetenceRow,
        CompetenceEvidence,
        *record.TABLES,
        *DOCUMENT_MODELS,
    ),
    # (and the manage page's add-to-calendar links, templates/booking/_add_to_calendar.html)
    labels={
        **booking_form.BOOKING_LABELS,
        "calendar_links": booking_calendar_links,
        "erased_email": privacy_rules.is_erased,  # an erased person's contact is not shown
    },
    panels=[
        Panel("me", "start/_team_week.html", team_week_panel),
        Panel("me", "start/_duty_bookings.html", duty_bookings_panel),
        Panel("me", "cases/_at_risk.html", case_routes.at_risk_panel),
        Panel("me", "aftercare/_tasks.html", aftercare_routes.tasks_panel),
        Panel("case", "cases/_story.html", case_routes.case_story_panel),
        Panel("case", "record/_panel.html", record_routes.record_panel),
        Panel("case", "privacy/_panel.html", privacy_routes.privacy_panel),
        record_sections_panel(record_service.record_sections),
        record_sections_panel(portfolio_service.record_sections),
        record_sections_panel(documents_service.record_sections),
        record_sections_panel(aftercare_service.record_sections),
    ],
)
