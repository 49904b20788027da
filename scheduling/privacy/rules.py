"""The pure rules of erasure and retention: which fields are personal, what an anonymised
participant looks like, which text a case record blanks, when retention is due.

Anonymised, field by field (the participant row stays, so the cases, bookings and surveys that
the quarter's indicators count keep their participant and their counts):

- first and last name: "Dane" "usunięte" (reads "Dane usunięte" wherever a name is shown:
  lists, the case page, calendar feeds);
- e-mail: ``anonim-<id>@usuniete.invalid`` (unique, as the table's key on e-mail and birth date
  needs; ``.invalid`` is reserved, RFC 2606, so nothing can ever be delivered there);
- phone: empty; birth date: 1 January 1900 (no age survives);
- education, employment and the link to the region: kept, as category codes that identify no one
  and that the project reports as the participants' characteristics;
- every free text of the case record (card, interviews, plan, feedback, portfolio, competence
  card, the case's own notes, aftercare notes, the survey's comment) is blanked; its rows,
  dates, statuses and choices stay;
- uploaded files are deleted (row and bytes); mails to or about the person keep their kind,
  status and times, their address becomes :data:`SCRUBBED_RECIPIENT` and their text goes.

No database, no clock: the service passes ``today`` and the rows' facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from app.calendar import add_months

ERASED_FIRST_NAME = "Dane"
ERASED_LAST_NAME = "usunięte"
ERASED_DOMAIN = "usuniete.invalid"
ERASED_BIRTH_DATE = date(1900, 1, 1)
SCRUBBED_RECIPIENT = f"usunieto@{ERASED_DOMAIN}"
SCRUBBED_SUBJECT = "(treść usunięta)"

# The participant's columns that identify the person; all of them are replaced.
PERSONAL_PARTICIPANT_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "email", "phone", "birth_date",
)  # fmt: skip
# Kept: categories, not identities (see the module's docstring).
KEPT_PARTICIPANT_FIELDS: tuple[str, ...] = ("education", "employment", "region_link")

# Free text about the person, by table: blanked ("") on erasure. Rows keyed by ``case_id``
# unless listed in :data:`BY_IPR` (rows of an IPR document, keyed by ``ipr_id``).
CASE_TEXTS: dict[str, tuple[str, ...]] = {
    "bilans_case": ("desired_training", "motivation", "closed_reason"),
    "participant_card": ("interests", "other"),
    "card_school": ("name",),
    "card_course": ("name", "organiser", "outcomes", "certificates"),
    "card_job": ("employer", "position", "duties"),
    "card_activity": ("organisation", "what"),
    "biography_part": ("notes", "state_note"),
    "biography_answer": ("answer",),
    "star_situation": (
        "situation", "task", "action", "result", "competences", "documentation", "evidence",
    ),
    "ipr_document": ("aim_scope", "goal"),
    "ipr_learning_form": ("what", "term"),
    "ipr_goal": ("text",),
    "ipr_action": ("action", "supports"),
    "ipr_answer": ("answer",),
    "feedback_document": (
        "scope_goal", "situation", "interests", "competences_held", "competences_to_develop",
        "values_goals",
    ),
    "portfolio_item": ("title", "description"),
    "competence_row": ("outcome", "experience", "evidence"),
    "aftercare_task": ("note",),
    "outcome_survey": ("job_change", "comment"),
    "voucher": ("service_name",),
}  # fmt: skip
BY_IPR: frozenset[str] = frozenset({"ipr_learning_form", "ipr_goal", "ipr_action", "ipr_answer"})


def erased_email(participant_id: int) -> str:
    return f"anonim-{participant_id}@{ERASED_DOMAIN}"


def anonymised_participant(participant_id: int) -> dict[str, object]:
    """The values that replace every personal field of participant ``participant_id``."""
    return {
        "first_name": ERASED_FIRST_NAME,
        "last_name": ERASED_LAST_NAME,
        "email": erased_email(participant_id),
        "phone": "",
        "birth_date": ERASED_BIRTH_DATE,
    }


def is_erased(email: str) -> bool:
    """Whether a participant's e-mail is an anonymised one (erasure already ran)."""
    return email.endswith(f"@{ERASED_DOMAIN}")


def blanked(table: str) -> dict[str, str]:
    """The values that blank ``table``'s personal texts."""
    return dict.fromkeys(CASE_TEXTS[table], "")


def scrubbed_mail() -> dict[str, object]:
    """What a mail to or about an erased person keeps of its address and text."""
    return {
        "recipient": SCRUBBED_RECIPIENT, "subject": SCRUBBED_SUBJECT, "body": "", "html": None,
        "ics": None, "last_error": "",
    }  # fmt: skip


# --- retention ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What retention needs of a participant: whether a case is under way, the last day a case
    closed, the last day of a meeting booked (any status), and whether erasure already ran."""

    participant_id: int
    any_active: bool
    last_closed_on: date | None
    last_meeting_on: date | None
    erased: bool


def retention_cutoff(today: date, months: int) -> date:
    """The last day whose closing is old enough: ``months`` before ``today``."""
    return add_months(today, -months)


def retention_due(person: PersonFacts, cutoff: date) -> bool:
    """Due when nothing is under way, nothing happened after ``cutoff`` and it is not erased
    yet: every case closed on or before the cutoff, every meeting on or before it, and at least
    one of them known (a person with neither is left to staff)."""
    if person.erased or person.any_active:
        return False
    days = [d for d in (person.last_closed_on, person.last_meeting_on) if d is not None]
    return bool(days) and max(days) <= cutoff


def due_for_retention(people: Iterable[PersonFacts], cutoff: date) -> list[int]:
    return sorted(p.participant_id for p in people if retention_due(p, cutoff))
