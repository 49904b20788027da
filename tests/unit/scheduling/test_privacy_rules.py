"""The pure rules of personal data (issue 17, GDPR): what an anonymised participant looks like,
which case-record texts are blanked (every one a real column), when retention is due, and the
one rule of follow-up contact (the latest statement decides)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import String, Text

from app.schema import metadata
from scheduling.consent.rules import CONTACT, CONTACT_WITHDRAWN, ContactStatement, may_contact
from scheduling.privacy import rules
from scheduling.privacy.rules import PersonFacts


@given(pid=st.integers(min_value=1, max_value=2**62))
def test_an_anonymised_participant_keeps_no_personal_field_and_a_unique_address(pid: int) -> None:
    values = rules.anonymised_participant(pid)

    assert set(values) == set(rules.PERSONAL_PARTICIPANT_FIELDS)
    assert values["phone"] == ""
    assert values["birth_date"] == date(1900, 1, 1)
    assert f"{values['first_name']} {values['last_name']}" == "Dane usunięte"
    assert rules.is_erased(str(values["email"]))
    assert str(pid) in str(values["email"])
    assert values["email"] != rules.anonymised_participant(pid + 1)["email"]


@given(st.emails())
def test_a_real_address_is_never_taken_for_an_erased_one(email: str) -> None:
    assert not rules.is_erased(email) or email.lower().endswith("@usuniete.invalid")


def test_the_personal_and_kept_fields_cover_the_participant_table() -> None:
    """A new column of the participant must be sorted into personal or kept (or this fails)."""
    columns = {c.name for c in metadata().tables["participant"].columns}

    assert columns - {"id", "created_at", "updated_at"} == set(
        rules.PERSONAL_PARTICIPANT_FIELDS + rules.KEPT_PARTICIPANT_FIELDS
    )


def test_every_blanked_text_is_a_text_column_of_its_table_and_the_keys_exist() -> None:
    tables = metadata().tables
    for name, columns in rules.CASE_TEXTS.items():
        table = tables[name]
        key = "ipr_id" if name in rules.BY_IPR else ("id" if name == "bilans_case" else "case_id")
        assert key in table.columns, name
        for column in columns:
            assert isinstance(table.columns[column].type, String | Text), f"{name}.{column}"
    assert rules.blanked("ipr_goal") == {"text": ""}


def test_a_scrubbed_mail_keeps_no_address_or_text() -> None:
    mail = rules.scrubbed_mail()

    assert mail["recipient"] == rules.SCRUBBED_RECIPIENT
    assert rules.is_erased(str(mail["recipient"]))
    assert mail["body"] == ""
    assert mail["html"] is None
    assert mail["ics"] is None


CUTOFF = date(2026, 6, 30)
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))


@given(closed=st.none() | days, met=st.none() | days, active=st.booleans(), erased=st.booleans())
def test_retention_is_due_only_when_everything_ended_by_the_cutoff(
    closed: date | None, met: date | None, active: bool, erased: bool
) -> None:
    person = PersonFacts(1, active, closed, met, erased)
    known = [d for d in (closed, met) if d is not None]

    due = rules.retention_due(person, CUTOFF)

    assert due == (not active and not erased and bool(known) and max(known) <= CUTOFF)


def test_the_cutoff_is_the_period_before_today_and_60_months_by_default() -> None:
    from app.settings import Settings

    assert Settings().retention_months == 60
    assert rules.retention_cutoff(date(2031, 8, 31), 60) == date(2026, 8, 31)
    assert rules.retention_cutoff(date(2027, 2, 28), 1) == date(2027, 1, 28)
    assert rules.due_for_retention(
        [PersonFacts(2, False, CUTOFF, None, False), PersonFacts(1, False, None, CUTOFF, False),
         PersonFacts(3, False, CUTOFF + timedelta(days=1), None, False)],
        CUTOFF,
    ) == [1, 2]  # fmt: skip


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_follow_up_contact_is_allowed_until_withdrawn_and_the_latest_statement_decides() -> None:
    given_ = ContactStatement(CONTACT, T0, 1)
    withdrawn = ContactStatement(CONTACT_WITHDRAWN, T0 + timedelta(days=1), 2)
    again = ContactStatement(CONTACT, T0 + timedelta(days=2), 3)
    same_moment = ContactStatement(CONTACT_WITHDRAWN, T0 + timedelta(days=2), 4)
    other = ContactStatement("outcome_survey_withdrawn", T0 + timedelta(days=3), 5)

    assert may_contact([])
    assert may_contact([other])
    assert not may_contact([given_, withdrawn])
    assert may_contact([withdrawn, again, other])
    assert not may_contact([again, same_moment])  # a tie in time: the later row wins
