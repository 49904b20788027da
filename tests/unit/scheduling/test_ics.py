"""Calendar feeds, read back by three independent readers: icalendar, ical and khal."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar import Calendar as IcalCalendar
from ical.calendar_stream import IcsCalendarStream
from ical.event import Event as IcalEvent

from scheduling.ics import FeedEvent, etag_for, render_feed, render_single_event
from tests.khal import khal_list

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
CHANGED = datetime(2027, 2, 20, 8, 15, tzinfo=UTC)
OFFICE = "Wojewódzki Urząd Pracy w Krakowie, Plac Na Stawach 1, 30-107 Kraków"


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Kraków."""
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def make_event(**overrides: Any) -> FeedEvent:
    fields: dict[str, Any] = {
        "uid": "duty-1@bilans.wup-krakow.pl",
        "summary": "Dyżur: Kraków, Plac Na Stawach",
        "start": at(2027, 3, 10, 9),
        "end": at(2027, 3, 10, 14),
        "location": OFFICE,
        "geo": (50.0686, 19.9262),
        "url": "https://bilans.wup-krakow.pl/dyzury/1",
        "description": "Szczegóły: https://bilans.wup-krakow.pl/dyzury/1",
        "sequence": 0,
        "status": "CONFIRMED",
        "last_modified": CHANGED,
        "categories": ("Dyżur",),
    }
    fields.update(overrides)
    return FeedEvent(**fields)


def feed(*events: FeedEvent, now: datetime = NOW, **options: Any) -> bytes:
    return render_feed(name="Dyżury – Anna Nowak", events=events, now=now, **options)


# --- readers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadEvent:
    """What the icalendar library understood of one VEVENT."""

    uid: str
    summary: str
    start: datetime
    end: datetime
    stamp: datetime
    last_modified: datetime
    sequence: int
    status: str
    location: str
    geo: tuple[float, float] | None
    url: str
    description: str
    categories: list[str]


def read_with_icalendar(body: bytes) -> dict[str, ReadEvent]:
    calendar = icalendar.Calendar.from_ical(body)
    errors = [(component.name, component.errors) for component in calendar.walk()]
    assert all(not found for _, found in errors), errors
    read = {}
    for event in calendar.events:
        props: Any = event  # icalendar's property values are a wide union; we know ours
        geo = props.get("GEO")
        read[str(props["UID"])] = ReadEvent(
            uid=str(props["UID"]),
            summary=str(props["SUMMARY"]),
            start=props["DTSTART"].dt,
            end=props["DTEND"].dt,
            stamp=props["DTSTAMP"].dt,
            last_modified=props["LAST-MODIFIED"].dt,
            sequence=int(props["SEQUENCE"]),
            status=str(props["STATUS"]),
            location=str(props.get("LOCATION", "")),
            geo=None if geo is None else (geo.latitude, geo.longitude),
            url=str(props.get("URL", "")),
            description=str(props.get("DESCRIPTION", "")),
            categories=[str(category) for category in event.categories],
        )
    return read


def read_with_ical(body: bytes) -> dict[str, IcalEvent]:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return {event.uid: event for event in calendar.events}


# --- the calendar itself -------------------------------------------------------------------


def test_feed_announces_name_timezone_and_hourly_refresh() -> None:
    body = feed(make_event())

    lines = body.decode().split("\r\n")

    for expected in (
        "VERSION:2.0",
        "PRODID:-//WUP Krakow//Bilans Kariery//PL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Dyżury – Anna Nowak",
        "X-WR-TIMEZONE:Europe/Warsaw",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert expected in lines
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    assert calendar.refresh_interval == timedelta(hours=1)
    assert calendar.name == ["Dyżury – Anna Nowak"]


def test_feed_carries_a_warsaw_vtimezone_before_its_events() -> None:
    body = feed(make_event()).decode()

    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw\r\n" in body
    assert body.index("BEGIN:VTIMEZONE") < body.index("BEGIN:VEVENT")


def test_vtimezone_agrees_with_the_tz_database_on_every_hour_of_three_years() -> None:
    calendar = icalendar.Calendar.from_ical(feed(make_event()))
    from_feed = calendar.timezones[0].to_tz(lookup_tzid=False)  # built from the block alone

    hour = datetime(2026, 1, 1, tzinfo=UTC)
    while hour < datetime(2029, 1, 1, tzinfo=UTC):
        assert hour.astimezone(from_feed).utcoffset() == hour.astimezone(WARSAW).utcoffset(), hour
        hour += timedelta(hours=1)


def test_every_line_ends_with_crlf_and_fits_in_75_octets() -> None:
    long_text = "Zażółć gęślą jaźń; " * 20
    body = feed(make_event(summary=long_text, description=long_text, location=long_text))

    assert body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert read_with_icalendar(body)["duty-1@bilans.wup-krakow.pl"].summary == long_text


def test_event_shows_address_position_link_description_and_status() -> None:
    event = make_event(description="Dyżur w pokoju 12.\nSzczegóły w aplikacji.")

    parsed = read_with_icalendar(feed(event))[event.uid]

    assert parsed.location == OFFICE
    assert (*(parsed.geo or ()),) == pytest.approx((50.0686, 19.9262))
    assert parsed.url == "https://bilans.wup-krakow.pl/dyzury/1"
    assert parsed.description == "Dyżur w pokoju 12.\nSzczegóły w aplikacji."
    assert parsed.status == "CONFIRMED"
    assert parsed.categories == ["Dyżur"]


def test_dtstamp_and_last_modified_are_the_events_last_change() -> None:
    parsed = read_with_icalendar(feed(make_event()))["duty-1@bilans.wup-krakow.pl"]

    assert parsed.stamp == CHANGED
    assert parsed.last_modified == CHANGED


def test_times_are_written_as_warsaw_local_time() -> None:
    body = feed(make_event(start=at(2027, 7, 1, 9), end=at(2027, 7, 1, 14))).decode()

    assert "DTSTART;TZID=Europe/Warsaw:20270701T090000\r\n" in body
    assert "DTEND;TZID=Europe/Warsaw:20270701T140000\r\n" in body


# --- DST: the Saturday duties around the changes and events on the change days ---------------

DST_EVENTS = {
    # uid: (start, end) as Kraków wall clock
    "sat-before-spring": (at(2027, 3, 27, 9), at(2027, 3, 27, 14)),
    "sunday-spring": (at(2027, 3, 28, 10), at(2027, 3, 28, 12)),
    "night-spring": (at(2027, 3, 28, 1, 30), at(2027, 3, 28, 3, 30)),  # one real hour
    "sat-after-spring": (at(2027, 4, 3, 9), at(2027, 4, 3, 14)),
    "sat-before-autumn": (at(2027, 10, 30, 9), at(2027, 10, 30, 14)),
    "sunday-autumn": (at(2027, 10, 31, 10), at(2027, 10, 31, 12)),
    "night-autumn": (at(2027, 10, 31, 1, 30), at(2027, 10, 31, 3, 30)),  # three real hours
    "sat-after-autumn": (at(2027, 11, 6, 9), at(2027, 11, 6, 14)),
}


def real_hours(start: date | datetime, end: date | datetime) -> float:
    """Hours elapsed (Python subtracts same-zone datetimes by the wall clock)."""
    assert isinstance(start, datetime)
    assert isinstance(end, datetime)
    return (end.astimezone(UTC) - start.astimezone(UTC)) / timedelta(hours=1)


def dst_feed() -> bytes:
    return feed(
        *(make_event(uid=uid, start=start, end=end) for uid, (start, end) in DST_EVENTS.items())
    )


def test_dst_days_keep_their_instants_and_wall_clock_in_icalendar() -> None:
    parsed = read_with_icalendar(dst_feed())

    for uid, (start, end) in DST_EVENTS.items():
        assert parsed[uid].start == start, uid
        assert parsed[uid].end == end, uid
        assert parsed[uid].start.astimezone(WARSAW).hour == start.hour, uid
    assert real_hours(parsed["night-spring"].start, parsed["night-spring"].end) == 1
    assert real_hours(parsed["night-autumn"].start, parsed["night-autumn"].end) == 3


def test_dst_days_keep_their_instants_and_wall_clock_in_ical() -> None:
    parsed = read_with_ical(dst_feed())

    for uid, (start, end) in DST_EVENTS.items():
        assert parsed[uid].start == start, uid
        assert parsed[uid].end == end, uid
        assert parsed[uid].start_datetime.astimezone(WARSAW).hour == start.hour, uid
    assert real_hours(parsed["night-spring"].start, parsed["night-spring"].end) == 1
    assert real_hours(parsed["night-autumn"].start, parsed["night-autumn"].end) == 3


@pytest.mark.khal
def test_dst_days_show_the_right_wall_clock_in_khal(tmp_path: Path) -> None:
    rows = khal_list(dst_feed(), tmp_path, first=date(2027, 3, 1), last=date(2027, 11, 30))

    shown = {row.uid: (row.start, row.end) for row in rows}
    assert shown == {
        uid: (start.replace(tzinfo=None), end.replace(tzinfo=None))
        for uid, (start, end) in DST_EVENTS.items()
    }


def test_an_event_in_the_repeated_october_hour_is_written_in_utc_and_read_right() -> None:
    # 02:30 CEST, then 02:15 CET: the clock goes back at 03:00 CEST
    start = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    end = datetime(2027, 10, 31, 1, 15, tzinfo=UTC)
    body = feed(make_event(uid="repeated-hour", start=start, end=end))

    assert "DTSTART:20271031T003000Z\r\nDTEND:20271031T011500Z\r\n" in body.decode()
    assert read_with_icalendar(body)["repeated-hour"].end == end
    by_ical = read_with_ical(body)["repeated-hour"]
    assert real_hours(by_ical.start, by_ical.end) == 0.75


@pytest.mark.khal
def test_an_event_in_the_repeated_october_hour_imports_into_khal(tmp_path: Path) -> None:
    start = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    end = datetime(2027, 10, 31, 1, 15, tzinfo=UTC)

    rows = khal_list(
        feed(make_event(uid="repeated-hour", start=start, end=end)),
        tmp_path,
        first=date(2027, 10, 30),
        last=date(2027, 11, 1),
    )

    assert [(row.start, row.end) for row in rows] == [
        (datetime(2027, 10, 31, 2, 30), datetime(2027, 10, 31, 2, 15))
    ]


# --- changes: reschedule, cancel, unchanged ------------------------------------------------


def test_rescheduling_keeps_the_uid_and_raises_the_sequence() -> None:
    before = make_event()
    after = replace(
        before,
        start=at(2027, 3, 12, 10),
        end=at(2027, 3, 12, 15),
        sequence=before.sequence + 1,
        last_modified=CHANGED + timedelta(days=2),
    )

    old = read_with_icalendar(feed(before))
    new = read_with_icalendar(feed(after))

    assert list(new) == list(old) == [before.uid]
    assert new[before.uid].sequence == old[before.uid].sequence + 1
    assert new[before.uid].start == at(2027, 3, 12, 10)
    assert new[before.uid].stamp == CHANGED + timedelta(days=2)
    assert etag_for(feed(before)) != etag_for(feed(after))


def test_cancelling_shows_status_cancelled() -> None:
    event = make_event(status="CANCELLED", sequence=1)

    assert read_with_icalendar(feed(event))[event.uid].status == "CANCELLED"
    assert read_with_ical(feed(event))[event.uid].status == "CANCELLED"


@pytest.mark.khal
def test_khal_lists_a_cancelled_event_as_cancelled(tmp_path: Path) -> None:
    kept = make_event(uid="kept")
    cancelled = make_event(uid="cancelled", status="CANCELLED", sequence=1)

    rows = khal_list(feed(kept, cancelled), tmp_path, first=date(2027, 3, 1), last=date(2027, 4, 1))

    assert {row.uid: row.cancelled for row in rows} == {"kept": False, "cancelled": True}


def test_unchanged_feed_renders_byte_identical_with_the_same_etag() -> None:
    events = [
        make_event(uid=f"duty-{n}", start=at(2027, 4, n, 9), end=at(2027, 4, n, 14))
        for n in range(1, 9)
    ]

    first = feed(*events)
    later_and_shuffled = feed(*reversed(events), now=NOW + timedelta(hours=5))

    assert first == later_and_shuffled
    assert etag_for(first) == etag_for(later_and_shuffled)


def test_cancelled_events_stay_thirty_days_after_the_cancellation_then_go() -> None:
    recent = make_event(uid="recent", status="CANCELLED", last_modified=NOW - timedelta(days=29))
    old = make_event(uid="old", status="CANCELLED", last_modified=NOW - timedelta(days=31))
    confirmed_long_ago = make_event(uid="confirmed", last_modified=NOW - timedelta(days=400))

    shown = read_with_icalendar(feed(recent, old, confirmed_long_ago))

    assert set(shown) == {"recent", "confirmed"}


def test_cancelled_keep_days_can_be_shortened() -> None:
    cancelled = make_event(status="CANCELLED", last_modified=NOW - timedelta(days=3))

    assert read_with_icalendar(feed(cancelled, cancelled_keep_days=2)) == {}


# --- horizon and order ---------------------------------------------------------------------


def test_feed_reaches_thirty_days_back_and_a_year_ahead() -> None:
    events = {
        "ended-31-days-ago": NOW - timedelta(days=31),
        "ends-29-days-ago": NOW - timedelta(days=29, hours=1),
        "in-11-months": NOW + timedelta(days=335),
        "in-13-months": NOW + timedelta(days=396),
    }

    shown = read_with_icalendar(
        feed(
            *(make_event(uid=uid, start=t, end=t + timedelta(hours=1)) for uid, t in events.items())
        )
    )

    assert set(shown) == {"ends-29-days-ago", "in-11-months"}


def test_an_event_crossing_the_back_edge_of_the_horizon_stays() -> None:
    start = NOW - timedelta(days=30, hours=2)
    crossing = make_event(start=start, end=start + timedelta(hours=4))

    assert list(read_with_icalendar(feed(crossing))) == [crossing.uid]


def test_horizon_can_be_narrowed() -> None:
    soon = make_event(uid="soon", start=at(2027, 3, 5, 9), end=at(2027, 3, 5, 10))
    later = make_event(uid="later", start=at(2027, 5, 5, 9), end=at(2027, 5, 5, 10))

    shown = read_with_icalendar(feed(soon, later, horizon=(timedelta(0), timedelta(days=30))))

    assert set(shown) == {"soon"}


def test_events_are_ordered_by_start_then_uid() -> None:
    morning, noon = (at(2027, 3, 10, 9), at(2027, 3, 10, 12))
    events = [
        make_event(uid="b", start=noon, end=noon + timedelta(hours=1)),
        make_event(uid="c", start=morning, end=morning + timedelta(hours=1)),
        make_event(uid="a", start=noon, end=noon + timedelta(hours=1)),
    ]

    assert list(read_with_icalendar(feed(*events))) == ["c", "a", "b"]


def test_one_uid_twice_in_a_feed_is_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        feed(make_event(), make_event(summary="Ten sam UID"))


def test_empty_feed_is_still_a_valid_calendar() -> None:
    body = feed()

    assert read_with_icalendar(body) == {}
    assert read_with_ical(body) == {}


# --- the event itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": datetime(2027, 3, 10, 9)}, "timezone-aware"),
        ({"last_modified": datetime(2027, 3, 1)}, "timezone-aware"),
        ({"end": at(2027, 3, 10, 9)}, "ends before it starts"),
        ({"uid": "a\r\nSUMMARY:x"}, "uid"),
        ({"url": "https://x/\nATTENDEE:y"}, "url"),
        ({"summary": "  "}, "no summary"),
        ({"sequence": -1}, "sequence"),
        ({"status": "DONE"}, "status"),
        ({"geo": (91.0, 0.0)}, "geo"),
        ({"categories": ("Dyżur, Kraków",)}, "categories"),
        ({"categories": ("",)}, "categories"),
    ],
)
def test_a_malformed_event_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_event(**overrides)


def test_render_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        feed(make_event(), now=datetime(2027, 3, 1))


# --- a participant's single booking --------------------------------------------------------


def booking() -> FeedEvent:
    return make_event(
        uid="booking-77@bilans.wup-krakow.pl",
        summary="Rozmowa doradcza (BK-2027-0042)",
        start=at(2027, 3, 28, 10),
        end=at(2027, 3, 28, 11),
        url="https://bilans.wup-krakow.pl/rezerwacje/zarzadzaj",
        categories=(),
    )


def test_single_event_is_a_published_calendar_with_the_vtimezone() -> None:
    body = render_single_event(booking(), name="Bilans Kariery – WUP Kraków")
    text = body.decode()

    assert "METHOD:PUBLISH\r\n" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw\r\n" in text
    assert "REFRESH-INTERVAL" not in text
    assert list(read_with_icalendar(body)) == ["booking-77@bilans.wup-krakow.pl"]
    assert read_with_ical(body)["booking-77@bilans.wup-krakow.pl"].start == at(2027, 3, 28, 10)


@pytest.mark.khal
def test_khal_imports_a_single_booking(tmp_path: Path) -> None:
    body = render_single_event(booking(), name="Bilans Kariery – WUP Kraków")

    rows = khal_list(body, tmp_path, first=date(2027, 3, 27), last=date(2027, 3, 29))

    assert [(row.title, row.start, row.end) for row in rows] == [
        ("Rozmowa doradcza (BK-2027-0042)", datetime(2027, 3, 28, 10), datetime(2027, 3, 28, 11))
    ]


# --- ETag ----------------------------------------------------------------------------------


def test_etag_is_strong_quoted_and_follows_the_body() -> None:
    body = feed(make_event())

    etag = etag_for(body)

    assert etag.startswith('"')
    assert etag.endswith('"')
    assert len(etag) == 34
    assert set(etag[1:-1]) <= set("0123456789abcdef")
    assert etag_for(body + b" ") != etag


# --- properties: any text survives, the output never depends on the render time ------------

texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from('\n,;:\\"\t'),
    max_size=150,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    summary=texts.filter(str.strip),
    location=texts,
    description=texts,
    category=texts.filter(lambda text: text.strip() and "," not in text),
)
def test_any_text_reads_back_unchanged_in_icalendar_and_ical(
    summary: str, location: str, description: str, category: str
) -> None:
    event = make_event(
        summary=summary, location=location, description=description, categories=(category,)
    )
    body = feed(event)

    by_icalendar = read_with_icalendar(body)[event.uid]
    by_ical = read_with_ical(body)[event.uid]

    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    assert by_icalendar.summary == by_ical.summary == summary
    assert by_icalendar.location == (by_ical.location or "") == location
    assert by_icalendar.description == (by_ical.description or "") == description
    assert by_icalendar.categories == by_ical.categories == [category]


@settings(max_examples=40, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=300 * 24), min_size=1, max_size=20),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2)),
)
def test_render_time_never_shows_in_the_feed(offsets: list[int], later: timedelta) -> None:
    events = [
        make_event(uid=f"e{n}", start=NOW + timedelta(hours=h), end=NOW + timedelta(hours=h + 1))
        for n, h in enumerate(offsets)
    ]

    assert feed(*events) == feed(*events, now=NOW + later)


def test_ical_reader_sees_the_calendar_as_one_calendar() -> None:
    calendar = IcsCalendarStream.calendar_from_ics(dst_feed().decode())

    assert isinstance(calendar, IcalCalendar)
    assert [tz.tz_id for tz in calendar.timezones] == ["Europe/Warsaw"]
    assert len(calendar.events) == len(DST_EVENTS)
