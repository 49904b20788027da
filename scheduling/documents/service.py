"""The documents' services: the working copy a page shows, saving the draft, handing a version
over, reading the versions, and the completion fact the case's lifecycle asks for.

The working copy is the draft when there is one, else a copy of the last handed-over version
(or a new document) that becomes the draft on the first save. The IPR's scenario questions are
those of the draft, followed by the coordinator's active questions it does not hold yet; their
text is copied into the document. Only rows whose version is 0 are ever written: a handed-over
version has no path that changes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.area import RecordSection
from app.auth import CurrentUser
from app.db import rowcount
from app.errors import Conflict, Invalid, NotFound
from app.i18n import gettext as _
from app.records.models import Case
from scheduling.documents import rules
from scheduling.documents.forms import FeedbackForm, IprForm
from scheduling.documents.models import (
    FeedbackDocument,
    IprAction,
    IprAnswer,
    IprDocument,
    IprGoal,
    IprLearningForm,
)
from scheduling.documents.rules import DRAFT, DocumentKind
from scheduling.record.models import QuestionItem, QuestionList
from scheduling.record.questions import active_questions

Document = IprDocument | FeedbackDocument
# Any: the two tables share the versioned columns; mypy sees no common base with them.
MODEL: dict[DocumentKind, Any] = {
    DocumentKind.ipr: IprDocument,
    DocumentKind.feedback: FeedbackDocument,
}


@dataclass(frozen=True, slots=True)
class Versions:
    """A case's document: what the editor shows and every version handed over (newest first)."""

    working: Document
    is_draft: bool  # the working copy is a saved draft (else: not yet saved)
    handed_over: tuple[Document, ...]


async def _all(db: AsyncSession, kind: DocumentKind, case_id: int) -> list[Document]:
    model = MODEL[kind]
    rows = await db.scalars(
        select(model)
        .where(model.case_id == case_id)
        .order_by(model.version.desc())
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def version_of(db: AsyncSession, kind: DocumentKind, case_id: int, version: int) -> Document:
    """One version (0: the draft), or 404."""
    model = MODEL[kind]
    found: Document | None = await db.scalar(
        select(model)
        .where(model.case_id == case_id, model.version == version)
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound(_("Nie ma takiej wersji dokumentu."))
    return found


def _copy_ipr(source: IprDocument | None, questions: Sequence[QuestionItem]) -> IprDocument:
    """A new (unsaved) plan: the content of ``source`` and the questions not yet in it."""
    ipr = IprDocument(version=DRAFT, aim_scope="", goal="", goal_kind=None, advancement=None)
    if source is not None:
        ipr.aim_scope, ipr.goal_kind = source.aim_scope, source.goal_kind
        ipr.goal, ipr.advancement = source.goal, source.advancement
        ipr.learning_forms = [
            IprLearningForm(position=r.position, form=r.form, what=r.what, term=r.term)
            for r in source.learning_forms
        ]
        ipr.goals = [IprGoal(position=r.position, kind=r.kind, text=r.text) for r in source.goals]
        ipr.actions = [
            IprAction(position=r.position, action=r.action, by_when=r.by_when, supports=r.supports)
            for r in source.actions
        ]
        ipr.answers = [
            IprAnswer(
                position=r.position, question_id=r.question_id, question=r.question, answer=r.answer
            )
            for r in source.answers
        ]
    _add_questions(ipr, questions)
    return ipr


def _add_questions(ipr: IprDocument, questions: Sequence[QuestionItem]) -> None:
    held = {a.question_id for a in ipr.answers if a.question_id is not None}
    for q in questions:
        if q.id not in held:
            ipr.answers.append(
                IprAnswer(position=len(ipr.answers), question_id=q.id, question=q.text, answer="")
            )


async def _latest_ipr(db: AsyncSession, case_id: int) -> IprDocument | None:
    found = await _all(db, DocumentKind.ipr, case_id)
    return found[0] if found else None  # type: ignore[return-value]


async def _new_feedback(
    db: AsyncSession, case_id: int, source: Document | None
) -> FeedbackDocument:
    doc = FeedbackDocument(version=DRAFT, **{f: "" for f in rules.FEEDBACK_FIELDS})
    if isinstance(source, FeedbackDocument):
        for name in rules.FEEDBACK_FIELDS:
            setattr(doc, name, getattr(source, name))
    if not doc.scope_goal:  # S27: the scope and the goal come from the plan
        ipr = await _latest_ipr(db, case_id)
        if ipr is not None:
            doc.scope_goal = rules.scope_goal_from_ipr(ipr.aim_scope, ipr.goal_kind, ipr.goal)
    return doc


async def versions(
    db: AsyncSession, kind: DocumentKind, case: Case, *, editing: bool = False
) -> Versions:
    """The editor's working copy and the versions handed over. Only a change (``editing``)
    works on the saved draft itself; a read gets an unsaved copy with the scenario questions the
    coordinator added since, so showing a page never writes to the draft."""
    found = await _all(db, kind, case.id)
    draft = next((d for d in found if d.version == DRAFT), None)
    handed = tuple(d for d in found if d.version != DRAFT)
    last = handed[0] if handed else None
    if kind is DocumentKind.ipr:
        questions = await active_questions(db, QuestionList.ipr_scenario)
        if isinstance(draft, IprDocument) and editing:
            working: Document = draft
            _add_questions(draft, questions)  # saved with this change
        elif isinstance(draft, IprDocument):
            working = _copy_ipr(draft, questions)
        else:
            working = _copy_ipr(last if isinstance(last, IprDocument) else None, questions)
    else:
        working = draft or await _new_feedback(db, case.id, last)
    return Versions(working=working, is_draft=draft is not None, handed_over=handed)


# --- saving the draft ---------------------------------------------------------------------------


def _fill_ipr(ipr: IprDocument, form: IprForm) -> None:
    ipr.aim_scope, ipr.goal_kind = form.aim_scope.strip(), form.goal_kind
    ipr.goal, ipr.advancement = form.goal.strip(), form.advancement
    ipr.learning_forms = [
        IprLearningForm(position=i, form=r.form, what=r.what, term=r.term)
        for i, r in enumerate(form.learning_forms)
    ]
    ipr.goals = [IprGoal(position=i, kind=r.kind, text=r.text) for i, r in enumerate(form.goals)]
    ipr.actions = [
        IprAction(position=i, action=r.action, by_when=r.by_when, supports=r.supports)
        for i, r in enumerate(form.actions)
    ]
    questions = [(a.question_id, a.question) for a in ipr.answers]
    typed = form.answers + [""] * (len(questions) - len(form.answers))
    ipr.answers = [
        IprAnswer(position=i, question_id=qid, question=text, answer=typed[i].strip())
        for i, (qid, text) in enumerate(questions)
    ]


async def save_ipr(db: AsyncSession, case: Case, form: IprForm, *, now: datetime) -> IprDocument:
    """Write the plan's draft (made from the last version on the first edit after a handover).
    The caller opened the record for the change (audit) and commits."""
    found = await versions(db, DocumentKind.ipr, case, editing=True)
    ipr = found.working
    assert isinstance(ipr, IprDocument)
    if not found.is_draft:
        ipr.case_id = case.id
        db.add(ipr)
    _fill_ipr(ipr, form)
    ipr.updated_at = now
    await db.flush()
    return ipr


async def save_feedback(
    db: AsyncSession, case: Case, form: FeedbackForm, *, now: datetime
) -> FeedbackDocument:
    found = await versions(db, DocumentKind.feedback, case, editing=True)
    doc = found.working
    assert isinstance(doc, FeedbackDocument)
    if not found.is_draft:
        doc.case_id = case.id
        db.add(doc)
    for name in rules.FEEDBACK_FIELDS:
        setattr(doc, name, str(getattr(form, name)).strip())
    doc.updated_at = now
    await db.flush()
    return doc


# --- handing over -------------------------------------------------------------------------------


def gaps(doc: Document) -> dict[str, str]:
    if isinstance(doc, IprDocument):
        shape = rules.IprShape(
            values={f: getattr(doc, f) for f, _m in rules.IPR_REQUIRED},
            learning_forms=len(doc.learning_forms),
            actions=len(doc.actions),
        )
        return rules.ipr_gaps(shape)
    return rules.feedback_gaps({f: getattr(doc, f) for f in rules.FEEDBACK_FIELDS})


async def hand_over(
    db: AsyncSession, kind: DocumentKind, case: Case, *, user: CurrentUser, now: datetime
) -> int:
    """Freeze the draft as the next version, handed over now by ``user``; its number.

    The draft turns into the version by one conditional UPDATE (still version 0), so two clicks
    at once hand it over once; the caller commits."""
    model = MODEL[kind]
    draft = await db.scalar(select(model).where(model.case_id == case.id, model.version == DRAFT))
    if draft is None:
        raise Conflict(_("Nie ma wersji roboczej do przekazania: wprowadź najpierw treść."))
    missing = gaps(draft)
    if missing:
        raise Invalid(_("Dokument nie jest gotowy do przekazania uczestnikowi."), errors=missing)
    last = await db.scalar(select(func.max(model.version)).where(model.case_id == case.id))
    number = rules.next_version([int(last or 0)])
    done = await db.execute(
        update(model)
        .where(model.id == draft.id, model.version == DRAFT)
        .values(version=number, handed_over_at=now, handed_over_by_id=user.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        raise Conflict(_("Dokument został właśnie przekazany. Odśwież stronę."))
    return number


async def handed_over_kinds(db: AsyncSession, case_id: int) -> dict[DocumentKind, int]:
    """The last version handed over of each document of the case (absent: none yet)."""
    found: dict[DocumentKind, int] = {}
    for kind, model in MODEL.items():
        last = await db.scalar(
            select(func.max(model.version)).where(model.case_id == case_id, model.version > DRAFT)
        )
        if last:
            found[kind] = int(last)
    return found


async def documents_handed_over(db: AsyncSession, case_id: int) -> bool:
    """The completion fact (S25, S30): both documents have a handed-over version."""
    return rules.both_handed_over(await handed_over_kinds(db, case_id))


async def record_sections(db: AsyncSession, case_id: int) -> list[RecordSection]:
    """This part's report to the record's overview: each document's last handed-over version,
    or its draft."""
    handed = await handed_over_kinds(db, case_id)
    sections = []
    for kind, model in MODEL.items():
        last = handed.get(kind)
        if last:
            state = _("przekazano, wersja %(n)d") % {"n": last}
        elif await db.scalar(select(model.id).where(model.case_id == case_id).limit(1)):
            state = _("wersja robocza")
        else:
            state = ""
        sections.append(RecordSection(kind.value, bool(state), last or 0, state))
    return sections
