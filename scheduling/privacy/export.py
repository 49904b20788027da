"""A participant's data as they may ask for it (GDPR art. 15 and 20): one JSON document with
every stored field of the participant and of everything linked to them (consents, cases,
meetings, the case record, the portfolio's files as links, vouchers, surveys, the mails sent
to them), and the same as a readable PDF summary (``templates/privacy/export_pdf.html``).

Who may export: those who may see the participant's cases (the case's counsellor for their own
participants, the coordinator: S34); a counsellor who does not see every case of the person
leaves the export to the coordinator. The export is noted in the audit log.

Other areas' parts of the person's data (``Area.personal_data``: supervision's tool results and
observations) come under ``areas``, by area name, from the parts the caller hands over."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.area import PersonalData
from app.audit import AuditAction, note
from app.auth import CurrentUser
from app.calendar import WARSAW
from app.errors import Forbidden
from app.i18n import gettext as _
from app.records.access import open_record, sees
from scheduling.consent import service as consent
from scheduling.privacy.gather import PersonData, gather, plain, row_dict

EXPORT_FORMAT = "bilans-personal-data/1"

# Polish titles of the case record's tables, for the PDF.
TABLE_TITLES: dict[str, str] = {
    "participant_card": "Karta uczestnika", "card_school": "Szkoły", "card_course": "Kursy",
    "card_job": "Praca", "card_activity": "Aktywności", "biography_part": "Wywiad biograficzny",
    "biography_answer": "Odpowiedzi w wywiadzie", "star_situation": "Wywiad behawioralny (STAR)",
    "ipr_document": "Indywidualny Plan Rozwoju", "ipr_learning_form": "IPR: formy nauki",
    "ipr_goal": "IPR: cele", "ipr_action": "IPR: działania", "ipr_answer": "IPR: odpowiedzi",
    "feedback_document": "Informacja zwrotna", "portfolio_item": "Portfolio",
    "competence_row": "Karta kompetencji", "voucher": "Bony szkoleniowe",
    "voucher_help": "Pomoc przy bonach", "aftercare_task": "Zadania po Bilansie",
    "outcome_survey": "Ankiety",
}  # fmt: skip


def _booking(b: Any) -> dict[str, Any]:
    duty = b.slot.duty
    where = duty.place.full_address if duty.place else (duty.office.name if duty.office else "")
    return {
        **row_dict(b),
        "starts_at": plain(b.slot.starts_at.astimezone(WARSAW)),
        "ends_at": plain(b.slot.ends_at.astimezone(WARSAW)),
        "place": where,
        "counsellor": duty.counsellor.full_name,
    }


def export_document(
    data: PersonData,
    *,
    contact_allowed: bool,
    base_url: str,
    now: datetime,
    areas: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The export as plain JSON-ready data."""
    base = base_url.rstrip("/")
    codes = {c.id: c.code for c in data.cases}
    item_of_file = {
        i.file_id: i for i in data.record.get("portfolio_item", []) if i.file_id is not None
    }
    files = []
    for f in data.files:
        item = item_of_file.get(f.id)
        link = f"{base}/cases/{codes[item.case_id]}/record/portfolio/{item.id}/file" if item else ""
        files.append({**row_dict(f), "download": link})
    return {
        "format": EXPORT_FORMAT,
        "exported_at": plain(now),
        "participant": row_dict(data.participant),
        "consents": [row_dict(c) for c in data.participant.consents],
        "follow_up_contact_allowed": contact_allowed,
        "cases": [{**row_dict(c), "counsellor": c.counsellor.full_name} for c in data.cases],
        "bookings": [_booking(b) for b in data.bookings],
        "record": {
            name: [{**row_dict(r), "case": _case_of(r, data, codes)} for r in rows]
            for name, rows in data.record.items()
        },
        "files": files,
        "voucher_total": row_dict(data.voucher_total) if data.voucher_total else None,
        "mails": [row_dict(m) for m in data.mails],
        "areas": dict(areas or {}),
    }


async def area_parts(
    db: AsyncSession, data: PersonData, parts: Mapping[str, PersonalData]
) -> dict[str, Any]:
    """Every other area's part of the person's data, by area name."""
    return {name: dict(await part.export(db, data.case_ids)) for name, part in parts.items()}


def parts_in(state: Mapping[str, Any]) -> Mapping[str, PersonalData]:
    """The areas' parts of a participant's data as the app's state or a job's context holds
    them (``personal_data``: :func:`app.area.personal_data_parts`)."""
    found: Mapping[str, PersonalData] = state["personal_data"]
    return found


def area_titles(parts: Mapping[str, PersonalData]) -> dict[str, str]:
    """The Polish titles of the areas' sections, for the PDF."""
    return {key: title for part in parts.values() for key, title in part.titles.items()}


def _case_of(row: Any, data: PersonData, codes: dict[int, str]) -> str | None:
    case_id = getattr(row, "case_id", None)
    if case_id is None:  # a row of an IPR document
        ipr = next((d for d in data.record["ipr_document"] if d.id == row.ipr_id), None)
        case_id = ipr.case_id if ipr else None
    return codes.get(case_id) if case_id is not None else None


async def open_person(
    db: AsyncSession, user: CurrentUser, code: str, *, action: AuditAction
) -> PersonData:
    """The data of case ``code``'s participant, for a user who sees every case of theirs;
    the access is noted (record ``personal_data``) in the caller's transaction."""
    case = await open_record(db, user, code, record="personal_data", action=action)
    data = await gather(db, case.participant_id)
    if not all(sees(user, c) for c in data.cases):
        raise Forbidden(
            _("Ta osoba ma też sprawę innego doradcy: jej dane przekaże lub usunie koordynator.")
        )
    return data


async def export_person(
    db: AsyncSession,
    user: CurrentUser,
    code: str,
    *,
    parts: Mapping[str, PersonalData],
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """Case ``code``'s participant's data as JSON-ready data (with the areas' ``parts``);
    noted as an export, committed."""
    data = await open_person(db, user, code, action=AuditAction.export)
    return await _committed_document(db, data, parts=parts, base_url=base_url, now=now)


async def export_by_id(
    db: AsyncSession,
    user: CurrentUser,
    participant_id: int,
    *,
    parts: Mapping[str, PersonalData],
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The same by the participant's id (the API): for a user who sees every case of theirs;
    a participant without a case only for the coordinator."""
    data = await gather(db, participant_id)
    if not (user.is_coordinator or (data.cases and all(sees(user, c) for c in data.cases))):
        raise Forbidden(
            _("Dane tej osoby przekazuje doradca prowadzący jej sprawę lub koordynator.")
        )
    await note(
        db, actor_id=user.id, action=AuditAction.export, record="personal_data",
        record_id=participant_id, at=now,
    )  # fmt: skip
    return await _committed_document(db, data, parts=parts, base_url=base_url, now=now)


async def _committed_document(
    db: AsyncSession,
    data: PersonData,
    *,
    parts: Mapping[str, PersonalData],
    base_url: str,
    now: datetime,
) -> dict[str, Any]:
    """The export of ``data`` with the areas' parts; the access noted before is committed."""
    allowed = await consent.may_contact(db, data.participant.id)
    document = export_document(
        data, contact_allowed=allowed, base_url=base_url, now=now,
        areas=await area_parts(db, data, parts),
    )  # fmt: skip
    await db.commit()
    return document
