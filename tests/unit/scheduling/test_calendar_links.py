"""The manage page's add-to-calendar links (Google, Outlook) and what the mails' and feeds'
calendar files say (METHOD, reminders): pure functions, read back as a calendar would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.calendar import WARSAW
from scheduling.booking.calendar_links import calendar_links
from scheduling.ics import FeedEvent, render_feed, render_single_event


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def links_for(start: datetime, minutes: int = 90) -> tuple[dict[str, str], dict[str, str]]:
    links = calendar_links(
        title="Rozmowa doradcza – Bilans Kariery", start=start,
        end=start + timedelta(minutes=minutes), location="Rynek 1, 34-120 Andrychów",
        details="Zmiana: link w e-mailu & SMS?",
    )  # fmt: skip
    assert links.google.startswith("https://calendar.google.com/calendar/render?")
    assert links.outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    return params(links.google), params(links.outlook)


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # winter (CET, UTC+1) and summer (CEST, UTC+2): the same wall clock, another UTC hour
        (datetime(2027, 1, 13, 17, 0), "20270113T160000Z/20270113T173000Z"),
        (datetime(2027, 7, 14, 17, 0), "20270714T150000Z/20270714T163000Z"),
    ],
)
def test_google_gets_the_warsaw_wall_clock_as_utc_in_winter_and_summer(
    local: datetime, utc: str
) -> None:
    google, outlook = links_for(local.replace(tzinfo=WARSAW))

    assert google["dates"] == utc
    assert (google["action"], google["ctz"]) == ("TEMPLATE", "Europe/Warsaw")
    assert google["location"] == "Rynek 1, 34-120 Andrychów"
    assert google["details"] == "Zmiana: link w e-mailu & SMS?"  # encoded, read back whole
    start, end = utc.split("/")
    assert (
        outlook["startdt"]
        == f"{start[:4]}-{start[4:6]}-{start[6:8]}T{start[9:11]}:{start[11:13]}:00Z"
    )
    assert outlook["enddt"].startswith(f"{end[:4]}-{end[4:6]}-{end[6:8]}T{end[9:11]}:{end[11:13]}")
    assert outlook["subject"] == "Rozmowa doradcza – Bilans Kariery"
    assert outlook["rru"] == "addevent"


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2035, 12, 31)))
def test_both_links_name_the_same_instant_as_the_booking(naive: datetime) -> None:
    start = naive.replace(tzinfo=UTC, microsecond=0, second=0)

    google, outlook = links_for(start.astimezone(WARSAW), minutes=60)

    begin = datetime.strptime(google["dates"].split("/")[0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert begin == start
    assert datetime.fromisoformat(outlook["startdt"]) == start


def test_a_time_without_a_zone_or_an_empty_span_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_links(
            title="x", start=datetime(2027, 1, 1, 9), end=datetime(2027, 1, 1, 10),
            location="", details="",
        )  # fmt: skip
    at = datetime(2027, 1, 1, 9, tzinfo=WARSAW)
    with pytest.raises(ValueError, match="end after"):
        calendar_links(title="x", start=at, end=at, location="", details="")


def event(status: str = "CONFIRMED", *, start: datetime | None = None) -> FeedEvent:
    begin = start or datetime(2027, 1, 13, 16, 0, tzinfo=UTC)
    return FeedEvent(
        uid="booking-7@bilans.wup-krakow.pl", summary="Rozmowa doradcza K-1", start=begin,
        end=begin + timedelta(minutes=90), location="Rynek 1", url="https://x/book",
        description="", sequence=2, status=status,  # type: ignore[arg-type]
        last_modified=datetime(2027, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def test_a_mail_file_names_its_method_the_office_and_the_recipient() -> None:
    body = render_single_event(
        event("CANCELLED"), name="Bilans", method="CANCEL", organizer="biuro@example.org",
        attendee="ewa@example.org",
    )  # fmt: skip

    calendar = icalendar.Calendar.from_ical(body)
    [read] = calendar.events
    assert str(calendar["METHOD"]) == "CANCEL"
    assert (str(read["STATUS"]), int(read["SEQUENCE"])) == ("CANCELLED", 2)
    assert str(read["ORGANIZER"]) == "mailto:biuro@example.org"
    assert str(read["ATTENDEE"]) == "mailto:ewa@example.org"


def test_a_cancel_of_a_confirmed_event_or_an_invitation_without_people_is_refused() -> None:
    with pytest.raises(ValueError, match="cancelled event"):
        render_single_event(
            event(), name="B", method="CANCEL", organizer="a@example.org", attendee="b@example.org"
        )
    with pytest.raises(ValueError, match="organizer"):
        render_single_event(event(), name="B", method="REQUEST")
    with pytest.raises(ValueError, match="bare email"):
        render_single_event(
            event(), name="B", method="REQUEST", organizer="a@x.org\r\nX:y", attendee="b@x.org"
        )


def test_a_feed_reminder_rings_before_each_event_to_come_and_never_for_a_cancelled_one() -> None:
    now = datetime(2027, 1, 10, tzinfo=UTC)
    events = [
        event(),
        FeedEvent(**{**_fields(event("CANCELLED")), "uid": "b-2"}),
        FeedEvent(**{**_fields(event()), "uid": "b-3", "start": now - timedelta(days=2),
                     "end": now - timedelta(days=2) + timedelta(hours=1)}),
    ]  # fmt: skip

    with_alarm = icalendar.Calendar.from_ical(
        render_feed(name="B", events=events, now=now, alarm_minutes=60)
    )
    without = icalendar.Calendar.from_ical(render_feed(name="B", events=events, now=now))

    alarms = {
        str(e["UID"]): [a.get("TRIGGER").dt for a in e.walk("VALARM")] for e in with_alarm.events
    }
    assert alarms == {
        "booking-7@bilans.wup-krakow.pl": [timedelta(hours=-1)],
        "b-2": [],  # cancelled
        "b-3": [],  # already over
    }
    assert not any(e.walk("VALARM") for e in without.events)


def _fields(e: FeedEvent) -> dict[str, object]:
    return {name: getattr(e, name) for name in FeedEvent.__dataclass_fields__}
