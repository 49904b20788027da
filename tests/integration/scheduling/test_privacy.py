"""A participant's personal data (issue 17, GDPR): the export (JSON and PDF) holds everything
stored about them; erasure leaves no personal field anywhere (every table's text, the uploads,
the outbox) while the quarter's indicators keep their figures; retention erases only those past
the period, once; a withdrawn consent stops the reminder and the survey."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pypdf import PdfReader
from sqlalchemy import Date, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import personal_data_parts
from app.areas import AREAS
from app.auth import CurrentUser
from app.calendar import WARSAW, add_months
from app.records.files import FormFile, uploads_dir
from app.records.models import Case, Participant, UploadedFile
from app.schema import metadata
from app.settings import Settings
from scheduling.aftercare.models import OutcomeSurvey
from scheduling.aftercare.service import record_consent
from scheduling.aftercare.steps import take_steps
from scheduling.booking.book import book_slot
from scheduling.booking.models import Booking
from scheduling.booking.schemas import BookingIn
from scheduling.lifecycle import Action
from scheduling.models import Slot
from scheduling.portfolio import service as portfolio
from scheduling.portfolio.kinds import EvidenceKind, ItemKind
from scheduling.portfolio.service import ItemForm
from scheduling.privacy import rules
from scheduling.privacy.retention import run_retention
from scheduling.record.models import ParticipantCard
from supervision.indicators.indicators import Quarter
from supervision.indicators.service import quarter_indicators
from supervision.models import ToolUse
from supervision.tools.models import ToolObservation, ToolResult, ToolScore
from supervision.tools.service import ensure_catalogue
from tests.conftest import COORDINATOR, COUNSELLOR, login, on_both_engines, post_form
from tests.integration.scheduling.test_aftercare_jobs import completed_case
from tests.integration.scheduling.test_booking_builders import body, make_duty
from tests.integration.scheduling.test_case_lifecycle import Held, _act, _attend, _counsellor

PARTS = personal_data_parts(AREAS)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIRST, LAST, PHONE, BORN = "Zofia", "Wrzosowska-Quill", "601 234 987", date(1984, 3, 17)


@dataclass
class Person:
    id: int
    code: str
    token: str
    email: str
    counsellor: CurrentUser
    closed_on: date
    file_token: str

    @property
    def needles(self) -> list[str]:
        return needles(self.email)


def needles(email: str) -> list[str]:
    """Every way the person's data could be written down (the first name alone is common)."""
    return [
        f"{FIRST} {LAST}", LAST, email, PHONE, PHONE.replace(" ", ""), BORN.isoformat(),
        BORN.strftime("%d.%m.%Y"),
    ]  # fmt: skip


async def person_with_everything(db: AsyncSession, settings: Settings) -> Person:
    """A participant booked, interviewed, with a card note and a portfolio file naming them,
    their basic case completed today, the survey consented to and sent 3 months on, answered."""
    email = f"zofia.quill.{uuid.uuid4().hex[:6]}@example.org"
    [slot_id] = await make_duty(db)
    booked = await book_slot(
        db,
        BookingIn.model_validate(
            body(slot_id, first_name=FIRST, last_name=LAST, email=email, phone=PHONE,
                 birth_date=BORN.isoformat())
        ),
        now=datetime.now(UTC),
        settings=settings,
    )  # fmt: skip
    assert booked.case_code is not None
    who = await _counsellor(db)
    day = await _attend(db, booked.booking.id, who)
    held = Held(booked.case_code, booked.token, who, day)
    item = await portfolio.add_item(
        db, settings.var_dir, who, held.code,
        ItemForm(kind=ItemKind.document, evidence=EvidenceKind.certificate, title=f"Świadectwo: {FIRST} {LAST}"),
        FormFile(f"{LAST}.pdf", "application/pdf", PDF_BYTES),
    )  # fmt: skip
    file_token = await db.scalar(select(UploadedFile.token).where(UploadedFile.id == item.file_id))
    assert file_token
    case = (await db.scalars(select(Case).where(Case.code == held.code))).one()
    db.add(ParticipantCard(case_id=case.id, interests=f"{FIRST} {LAST}, tel. {PHONE}", other=email))
    await tool_result_naming(db, case.id, who.id, day)
    await db.commit()
    await _act(
        db,
        held,
        Action.basic,
        desired_training="Prawo jazdy kat. C",
        motivation=f"{FIRST} chce jeździć",
    )
    await record_consent(db, who, held.code, now=datetime.now(UTC))
    db.expire_all()
    case = (await db.scalars(select(Case).where(Case.code == held.code))).one()
    pid, closed_on = case.participant_id, case.closed_on
    await db.commit()
    assert closed_on is not None
    sent = datetime.combine(
        add_months(closed_on, 3), datetime.min.time(), tzinfo=WARSAW
    ) + timedelta(hours=10)
    await take_steps(db, now=sent, base_url=settings.base_url, contact_phone=settings.contact_phone)
    await db.execute(
        update(OutcomeSurvey)
        .where(OutcomeSurvey.case_id == case.id)
        .values(answered_at=sent + timedelta(hours=1), usefulness=4, comment=f"Dziękuje {FIRST}")
    )
    await db.commit()
    return Person(pid, held.code, booked.token, email, who, closed_on, file_token)


async def tool_result_naming(db: AsyncSession, case_id: int, counsellor_id: int, day: date) -> None:
    """An AC/DC result (supervision's tables) whose notes, observation and a typed-in
    competence name the person, as a counsellor might write them (S19-S24)."""
    tools = await ensure_catalogue(db)
    use = ToolUse(case_id=case_id, tool_id=tools["ACDC"].id, counsellor_id=counsellor_id,
                  meeting_date=day)  # fmt: skip
    db.add(use)
    await db.flush()
    seen = ToolObservation(
        position=0, assessor=f"Asesor o {LAST}", exercise="Prezentacja",
        competence="komunikacja", behaviour=f"{FIRST} {LAST} mówi wyraźnie", rating=4,
    )  # fmt: skip
    typed = ToolScore(position=0, key="", label=f"Kompetencja {LAST}", score=3)
    notes = f"{FIRST} {LAST}: {PHONE}"
    db.add(
        ToolResult(
            tool_use_id=use.id,
            recorded_by_id=counsellor_id,
            notes=notes,
            scores=[typed],
            observations=[seen],
        )
    )


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


async def indicators(db: AsyncSession, person: Person) -> list[object]:
    """The figures of the quarters the person counts in (completion, survey sent/answered)."""
    rows = []
    for day in (person.closed_on, add_months(person.closed_on, 3)):
        as_of = add_months(person.closed_on, 4)
        rows.append(await quarter_indicators(db, quarter_of(day), as_of=as_of))
    await db.commit()
    return rows


async def traces(db: AsyncSession, needles: list[str], born: date) -> list[str]:
    """Where any of ``needles`` appears in any text column of any table, or ``born`` in a date
    column of the participant's table (the other tables' dates are the service's own)."""
    found = []
    lowered = [n.lower() for n in needles]
    for table in metadata().sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, String | Text)]
        if texts:
            for row in (await db.execute(select(*texts))).all():
                for column, value in zip(texts, row, strict=True):
                    if isinstance(value, str) and any(n in value.lower() for n in lowered):
                        found.append(f"{table.name}.{column.name}: {value[:60]!r}")
        if table.name == "participant":
            dates = [c for c in table.columns if isinstance(c.type, Date)]
            for row in (await db.execute(select(*dates))).all():
                found += [f"participant date {v}" for v in row if v == born]
    await db.commit()
    return found


def files_naming(folder: Path, needles: list[str]) -> list[str]:
    if not folder.exists():
        return []
    return [
        p.name for p in folder.rglob("*") if p.is_file()
        and any(n.encode() in p.read_bytes() for n in needles)
    ]  # fmt: skip


@on_both_engines
async def test_the_export_holds_every_personal_field_and_everything_linked_as_json_and_pdf(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    """The case's counsellor downloads the participant's data from the case page: the JSON has
    the personal fields, consents, case, meetings, card note, file link and mails; the PDF
    (read back with pypdf) names the person, their address and the case."""
    person = await person_with_everything(db, settings)
    await login(client, COUNSELLOR)

    page = await client.get(f"/cases/{person.code}")
    answer = await client.get(f"/cases/{person.code}/privacy/export.json")
    pdf = await client.get(f"/cases/{person.code}/privacy/export.pdf")

    assert f"/cases/{person.code}/privacy/export.pdf" in page.text
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    doc = json.loads(answer.content)
    p = doc["participant"]
    assert (p["first_name"], p["last_name"], p["email"], p["phone"], p["birth_date"]) == (
        FIRST, LAST, person.email, PHONE, BORN.isoformat(),
    )  # fmt: skip
    assert {c["kind"] for c in doc["consents"]} >= {"data_processing", "truthful", "outcome_survey"}
    assert [c["code"] for c in doc["cases"]] == [person.code]
    assert doc["cases"][0]["motivation"] == f"{FIRST} chce jeździć"
    assert len(doc["bookings"]) == 1
    assert doc["bookings"][0]["status"] == "attended"
    assert "token_hash" not in doc["bookings"][0]
    assert doc["record"]["participant_card"][0]["interests"].startswith(FIRST)
    assert doc["record"]["outcome_survey"][0]["usefulness"] == 4
    assert doc["files"][0]["download"].endswith("/file")
    assert doc["files"][0]["size"] == len(PDF_BYTES)
    assert {m["kind"] for m in doc["mails"]} >= {"confirmation", "outcome_survey"}
    assert doc["follow_up_contact_allowed"] is True
    tools = doc["areas"]["supervision"]  # supervision's part, through Area.personal_data
    assert tools["tool_use"][0]["notes"] == f"{FIRST} {LAST}: {PHONE}"
    assert tools["tool_use"][0]["case"] == person.code
    assert tools["tool_observation"][0]["behaviour"] == f"{FIRST} {LAST} mówi wyraźnie"
    assert tools["tool_score"][0]["label"] == f"Kompetencja {LAST}"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf.headers["content-type"] == "application/pdf"
    for needle in (
        f"{FIRST} {LAST}", person.email, person.code, "Karta uczestnika", "Obserwacje (AC/DC)",
        f"{FIRST} {LAST} mówi wyraźnie",
    ):  # fmt: skip
        assert needle in text


@on_both_engines
async def test_erasure_leaves_no_personal_field_anywhere_and_the_quarter_counts_the_same(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    """The coordinator confirms the erasure: no table's text (supervision's tool results and
    AC/DC observations included), no uploaded file and no mail holds the name, address, phone
    or birth date; the file is gone from disk; the manage link stops
    working; the case page's contact reads "Dane usunięte" (no link to the anonymised
    address); the audit log says who erased; the quarters' indicators are unchanged."""
    person = await person_with_everything(db, settings)
    before = await indicators(db, person)
    assert await traces(db, person.needles, BORN)  # the scan finds the person before
    await login(client, COORDINATOR)

    confirm = await client.get(f"/cases/{person.code}/privacy/erase")
    done = await post_form(client, f"/cases/{person.code}/privacy/erase", {"confirm": "on"})

    assert "nie da się cofnąć" in confirm.text
    assert f"{FIRST} {LAST}" in confirm.text
    assert done.status_code == 200
    assert "Dane osobowe usunięte" in done.text
    left = await traces(db, person.needles, BORN)
    assert left == [], left
    assert not (uploads_dir(settings.var_dir) / person.file_token).exists()
    assert files_naming(settings.var_dir, person.needles) == []
    assert await indicators(db, person) == before
    observation = (
        await db.scalars(select(ToolObservation).where(ToolObservation.exercise == "Prezentacja"))
    ).one()
    assert (observation.competence, observation.rating, observation.behaviour) == (
        "komunikacja", 4, "",
    )  # fmt: skip
    row = await db.get(Participant, person.id)
    assert row is not None
    assert (row.full_name, row.email) == (
        "Dane usunięte",
        rules.erased_email(person.id),
    )
    await db.commit()
    assert (await client.get(f"/manage/{person.token}")).status_code == 404
    case_page = (await client.get(f"/cases/{person.code}")).text
    assert "<dt>Kontakt</dt><dd>Dane usunięte</dd>" in case_page  # no anonim-N@ mailto link
    assert "mailto:" + rules.erased_email(person.id) not in case_page
    audit = await client.get("/audit", params={"case": person.code})
    assert "delete" in audit.text or "usunięcie" in audit.text.lower()
    again = await post_form(client, f"/cases/{person.code}/privacy/erase", {"confirm": "on"})
    assert again.status_code == 200
    assert "były już usunięte" in again.text


async def test_erasure_asks_for_confirmation_is_the_coordinators_and_waits_for_a_closed_case(
    db: AsyncSession, settings: Settings, client: AsyncTestClient[Litestar]
) -> None:
    """Without the tick: 422 with the reason next to the box; a counsellor: 403; a case under
    way: 409 and nothing erased."""
    [slot_id] = await make_duty(db)
    booked = await book_slot(
        db, BookingIn.model_validate(body(slot_id)), now=datetime.now(UTC), settings=settings
    )
    await login(client, COORDINATOR)

    unticked = await post_form(client, f"/cases/{booked.case_code}/privacy/erase", {})
    under_way = await post_form(
        client, f"/cases/{booked.case_code}/privacy/erase", {"confirm": "on"}
    )

    assert unticked.status_code == 422
    assert 'id="e-confirm"' in unticked.text
    assert under_way.status_code == 409
    assert "sprawę w toku" in under_way.text
    assert (await client.get(f"/manage/{booked.token}")).status_code == 200
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    await login(client, COUNSELLOR)
    refused = await post_form(client, f"/cases/{booked.case_code}/privacy/erase", {"confirm": "on"})
    assert refused.status_code == 403


async def move_back(db: AsyncSession, participant_id: int, months: int) -> None:
    """The person's cases closed, and meetings held, ``months`` ago (ten hours before now)."""
    now = datetime.now(UTC)
    day = add_months(now.astimezone(WARSAW).date(), -months)
    when = now - (now.astimezone(WARSAW).date() - day) - timedelta(hours=10)
    slots = select(Booking.slot_id).where(Booking.participant_id == participant_id)
    await db.execute(
        update(Slot)
        .where(Slot.id.in_(slots))
        .values(starts_at=when, ends_at=when + timedelta(minutes=30))
    )
    await db.execute(
        update(Case).where(Case.participant_id == participant_id).values(closed_on=day)
    )
    await db.commit()


@on_both_engines
async def test_retention_erases_after_the_period_only_and_a_second_run_erases_nobody(
    db: AsyncSession, settings: Settings
) -> None:
    """BILANS_RETENTION_MONTHS (60 by default) after the last case closed and the last meeting:
    the person past it is erased, one a month short of it stays (as does every demo person);
    the job run again (arq runs a job at least once) erases nobody."""
    months = settings.retention_months
    gone = await person_with_everything(db, settings)
    kept = await completed_case(db, settings)
    kept_id = await db.scalar(select(Case.participant_id).where(Case.id == kept.case_id))
    await move_back(db, gone.id, months + 1)
    await move_back(db, kept_id, months - 1)
    now = datetime.now(UTC)

    def run(dry_run: bool = False) -> Awaitable[list[int]]:
        return run_retention(
            db, months=months, parts=PARTS, var_dir=settings.var_dir, now=now, dry_run=dry_run
        )

    would = await run(dry_run=True)
    erased = await run()
    twice = await run()

    assert months == 60
    assert would == erased == [gone.id]
    assert twice == []
    assert await traces(db, gone.needles, BORN) == []
    kept_row = await db.get(Participant, kept_id)
    assert kept_row is not None
    assert not rules.is_erased(kept_row.email)


async def test_the_logs_of_a_booking_and_its_erasure_carry_no_personal_data(
    db: AsyncSession, client: AsyncTestClient[Litestar], capsys: pytest.CaptureFixture[str]
) -> None:
    """The app's JSON log lines (as `bilans serve` writes them) of a public booking, its
    cancellation, the staff pages and the erasure name no name, address, phone or birth date."""
    import logging

    from app.observability import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging()
    try:
        [slot_id] = await make_duty(db)
        email = f"zofia.quill.{uuid.uuid4().hex[:6]}@example.org"
        data = body(
            slot_id,
            first_name=FIRST,
            last_name=LAST,
            email=email,
            phone=PHONE,
            birth_date=BORN.isoformat(),
        )
        booked = await client.post("/api/bookings", json=data)
        token, code = booked.json()["token"], booked.json()["case_code"]
        await client.get(f"/manage/{token}")
        await client.delete(f"/api/bookings/{token}")
        await login(client, COORDINATOR)
        await client.get(f"/cases/{code}")
        await client.get(f"/cases/{code}/privacy/export.json")
        erased = await post_form(client, f"/cases/{code}/privacy/erase", {"confirm": "on"})
    finally:
        root.handlers[:], root.level = saved
    logged = capsys.readouterr().err

    assert booked.status_code == 201
    assert erased.status_code == 200
    assert '"participant_erased"' in logged
    assert '"request"' in logged
    assert [n for n in needles(email) if n.lower() in logged.lower()] == []
