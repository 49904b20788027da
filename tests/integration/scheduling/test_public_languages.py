"""Issue 18, acceptance 2: every public page, in Ukrainian and in English, chosen by the switch's
cookie and by the browser's Accept-Language, shows no untranslated Polish.

The walk starts from the app's own route table: every anonymous GET route on the participant's
side (``app.language.is_public``) that answers with a page must be visited at least once, with its
path filled from the demo data and from bookings the walk makes itself (so a new public page fails
here until it is walked and translated). Besides the bare routes it visits the states a
participant meets: a district's places, a town search and one that finds nothing, the form with
errors after a bad post, two eligibility refusals, a fresh booking's manage page, its cancel and
reschedule pages, the outcome survey and an error page.

Polish is found by its own letters (ąćęłńóśźż) and a list of common Polish words in the visible
text (and in aria-label, title, alt and placeholder). Left out: names of places, streets, towns,
districts, offices and people as the data has them, and any element marked ``lang="pl"`` (the
switch's "Polski", the binding Polish consents shown on request, Polish legal terms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.language import COOKIE, is_public
from app.records.enums import CaseStatus
from app.records.models import Case, District, DutyPlace, Office, Participant, User
from app.security import token_hash
from scheduling.aftercare.models import OutcomeSurvey
from scheduling.aftercare.rules import SURVEY_CONSENT, Step
from scheduling.aftercare.service import add_statement
from tests.conftest import csrf_from

LANGUAGES = ("uk", "en")
SURVEY_TOKEN = "ankieta-w-jezykach-0123456789abcdef"

POLISH_LETTERS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
# Common Polish words without Polish letters (those are caught by the letters).
POLISH_WORDS = frozenset(
    [
        "albo",
        "ani",
        "bez",
        "brak",
        "czy",
        "dla",
        "jak",
        "jest",
        "jej",
        "jego",
        "jeszcze",
        "lub",
        "mnie",
        "moje",
        "nie",
        "np",
        "oraz",
        "przez",
        "tak",
        "tego",
        "tej",
        "termin",
        "terminy",
        "terminu",
        "tutaj",
        "twoja",
        "twoje",
        "tylko",
        "tym",
        "wybierz",
        "wolne",
        "wolny",
        "wszystkie",
        "zapis",
        "pola",
        "miejsce",
        "miejsca",
        "miejsc",
        "powiat",
        "rezerwacja",
        "rezerwacji",
        "spotkanie",
        "spotkania",
        "rozmowa",
        "rozmowy",
        "doradca",
        "doradcy",
        "ankieta",
        "ankiety",
        "zgoda",
        "zgody",
        "kiedy",
        "gdzie",
        "numer",
        "sprawy",
        "sprawa",
        "pytania",
        "szukaj",
        "krok",
        "wieczorem",
        "sobota",
        "tygodni",
        "tygodnie",
        "godziny",
        "urodzenia",
    ]
)


def _word_of_data(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]+", text)}


async def names_in_data(db: AsyncSession) -> set[str]:
    """Words of proper names as the data has them: places, offices, their streets and towns,
    districts, staff and participants. These stay as they are in every language."""
    words: set[str] = set()
    for row in (await db.execute(select(DutyPlace.name, DutyPlace.address, DutyPlace.town))).all():
        words |= _word_of_data(" ".join(row))
    for row in (await db.execute(select(Office.name, Office.address, Office.town))).all():
        words |= _word_of_data(" ".join(row))
    for row in (await db.execute(select(District.name, District.seat))).all():
        words |= _word_of_data(" ".join(row))
    for model in (User, Participant):
        for row in (await db.execute(select(model.first_name, model.last_name))).all():
            words |= _word_of_data(" ".join(row))
    return words


# --- the visible text of a page ---------------------------------------------------------------

SKIPPED = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
SPOKEN_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")


class VisibleText(HTMLParser):
    """Text a person sees or hears, outside any element marked Polish (``lang="pl"``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden from this check)
        self.chunks: list[str] = []

    def _skipped(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in SKIPPED or (values.get("lang") or "").startswith("pl")
        if not skip and not self._skipped():
            self.chunks += [v for k, v in attrs if k in SPOKEN_ATTRIBUTES and v]
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._skipped():
            self.chunks.append(" ".join(data.split()))


def untranslated(html: str, names: set[str]) -> list[str]:
    """The pieces of visible text that hold a Polish word (not a name from the data)."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for chunk in parser.chunks:
        polish = [
            w
            for w in re.findall(r"[^\W\d_]+", chunk)
            if w.lower() not in names and (POLISH_LETTERS.search(w) or w.lower() in POLISH_WORDS)
        ]
        if polish:
            found.append(f"{chunk!r} (Polish: {', '.join(polish)})")
    return found


# --- the walk ---------------------------------------------------------------------------------


@dataclass
class Visit:
    route: str  # the route's path template, as the route table has it
    url: str
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    status: int = 200


def public_page_routes(app: Litestar) -> set[str]:
    """Every anonymous GET route of the participant's side that answers with a page (not the
    JSON API, the calendar file or the switch's redirect)."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if (
                isinstance(handler, HTTPRouteHandler)
                and "GET" in handler.http_methods
                and not handler.resolve_guards()
                and is_public(route.path)
                and not route.path.startswith(("/api/", "/language/"))
                and not route.path.endswith(".ics")
            ):
                found.add(route.path)
    return found


def person(n: str, years: int, **overrides: str) -> dict[str, Any]:
    """The booking form as a person fills it in: ``years`` old, eligible unless overridden."""
    today = datetime.now(UTC).date()
    born = today.replace(year=today.year - years, day=min(today.day, 28))
    return {
        "first_name": "Olena",
        "last_name": f"Kowal{n}",
        "email": f"olena.{n}@example.org",
        "phone": "600 100 200",
        "birth_date": born.strftime("%d.%m.%Y"),
        "education": "secondary",
        "employment": "employment_contract",
        "region_link": "lives",
        "consents": ["data_processing", "truthful"],
        **overrides,
    }


async def open_survey(db: AsyncSession) -> None:
    """A completed case's participant consented to the survey and has an open link to it."""
    case = await db.scalar(
        select(Case).where(Case.status == CaseStatus.completed).order_by(Case.id).limit(1)
    )
    assert case is not None, "the demo data has no completed case"
    now = datetime.now(UTC)
    await add_statement(db, case.participant_id, SURVEY_CONSENT, now=now)
    db.add(OutcomeSurvey(case_id=case.id, step=Step.survey_12, token_hash=token_hash(SURVEY_TOKEN),
                         sent_at=now, expires_at=now + timedelta(days=30)))  # fmt: skip
    await db.commit()


async def free_slots(client: AsyncTestClient[Litestar], place_id: int) -> list[str]:
    page = await client.get(f"/book/places/{place_id}")
    return re.findall(r'href="/book/slots/(\d+)"', page.text)


async def book(client: AsyncTestClient[Litestar], slot: str, who: dict[str, Any]) -> str:
    """Book ``slot`` through the public form; the manage link's token."""
    answer = await client.post(
        f"/book/slots/{slot}", data={**who, "_csrf_token": csrf_from(client)},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    return re.sub(r"^/manage/([^?]+).*$", r"\1", answer.headers["location"])


async def visits_for(client: AsyncTestClient[Litestar], db: AsyncSession, key: str) -> list[Visit]:
    """The pages to walk in one language: each public route, in the states a person meets."""
    district = await db.scalar(select(District.id).order_by(District.id).limit(1))
    office = await db.scalar(select(Office.id).order_by(Office.id).limit(1))
    places = (
        await db.scalars(select(DutyPlace.id).where(DutyPlace.active).order_by(DutyPlace.id))
    ).all()
    await db.rollback()
    for place in places:  # a place with two free slots: one to book, one for the form
        slots = await free_slots(client, place)
        if len(slots) >= 2:
            break
    token = await book(client, slots[0], person(key, 40))
    booking = "/manage/{token:str}"
    form = "/book/slots/{slot_id:int}"
    return [
        Visit("/", "/"),
        Visit("/book", "/book"),
        Visit("/book", f"/book?district={district}"),
        Visit("/book", "/book?q=Andrych%C3%B3w"),
        Visit("/book", "/book?q=qqqxxz"),
        Visit("/book/places/{place_id:int}", f"/book/places/{place}"),
        Visit("/book/offices/{office_id:int}", f"/book/offices/{office}"),
        Visit(form, f"/book/slots/{slots[1]}"),
        Visit(form, f"/book/slots/{slots[1]}", "POST", {"first_name": "Olena"}, 422),
        Visit(form, f"/book/slots/{slots[1]}", "POST", person(key + "y", 20), 403),
        Visit(
            form, f"/book/slots/{slots[1]}", "POST", person(key + "h", 35, education="higher"), 403
        ),
        Visit("/book/links", "/book/links"),
        Visit(booking, f"/manage/{token}?new=1"),
        Visit(booking, f"/manage/{token}"),
        Visit(booking, "/manage/no-such-booking-0123456789", status=404),
        Visit(booking + "/cancel", f"/manage/{token}/cancel"),
        Visit(booking + "/reschedule", f"/manage/{token}/reschedule"),
        Visit(booking + "/reschedule", f"/manage/{token}/reschedule?q=Andrych%C3%B3w"),
        Visit(booking + "/contact", f"/manage/{token}/contact"),
        Visit("/survey/{token:str}", f"/survey/{SURVEY_TOKEN}"),
        Visit("/survey/{token:str}/withdraw", f"/survey/{SURVEY_TOKEN}/withdraw"),
        Visit("/survey/thanks", "/survey/thanks"),
    ]


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILANS_BOOKING_RATE_LIMIT", "off")


@pytest.mark.parametrize("how", ["cookie", "accept-language"])
async def test_every_public_page_in_ukrainian_and_english_has_no_untranslated_polish(
    app: Litestar, client: AsyncTestClient[Litestar], db: AsyncSession, how: str
) -> None:
    """Acceptance 2: in each language, chosen either way, every public page (every route of
    the table, in the states a participant meets) is in that language, apart from names."""
    names = await names_in_data(db)
    await open_survey(db)
    await client.get("/")  # the CSRF cookie a page gives
    problems: list[str] = []
    walked: set[str] = set()
    routes = public_page_routes(app)
    for lang in LANGUAGES:
        if how == "cookie":
            client.cookies.set(COOKIE, lang)
            client.headers.pop("accept-language", None)
        else:
            client.cookies.delete(COOKIE)
            client.headers["accept-language"] = f"{lang},pl;q=0.5"
        for visit in await visits_for(client, db, f"{how[0]}{lang}"):
            if visit.route not in routes:  # a page this version of the app does not have
                continue
            walked.add(visit.route)
            if visit.method == "GET":
                page = await client.get(visit.url)
            else:
                data = {**visit.data, "_csrf_token": csrf_from(client)}
                page = await client.post(visit.url, data=data, follow_redirects=False)
            where = f"{lang} ({how}) {visit.method} {visit.url}"
            if page.status_code != visit.status:
                problems.append(f"{where}: answered {page.status_code}, not {visit.status}")
                continue
            lang_attr = re.search(r'<html lang="([^"]+)"', page.text)
            if lang_attr is None or lang_attr.group(1) == "pl":
                problems.append(f"{where}: the page says lang={lang_attr and lang_attr.group(1)}")
            problems += [f"{where}: {text}" for text in untranslated(page.text, names)]
    missing = routes - walked
    assert not missing, (
        f"public routes this walk does not visit (add them to visits_for): {missing}"
    )
    assert not problems, "untranslated Polish on public pages:\n" + "\n".join(problems)


def test_the_check_finds_polish_outside_names_and_the_polish_marked_parts() -> None:
    """The detector itself: Polish letters and common words are found; names from the data,
    the switch's "Polski" and the binding Polish text (``lang="pl"``) are not."""
    html = (
        '<html lang="en"><body><a lang="pl" href="/language/pl">Polski</a>'
        "<p>Meeting in Andrychów</p><p>Wybierz termin</p>"
        '<button aria-label="Szukaj miejsc">Search</button>'
        '<details><ul lang="pl"><li>Zgadzam się</li></ul></details></body></html>'
    )

    found = untranslated(html, names={"andrychów"})

    assert found == [
        "'Wybierz termin' (Polish: Wybierz, termin)",
        "'Szukaj miejsc' (Polish: Szukaj, miejsc)",
    ]
