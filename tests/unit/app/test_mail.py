"""The mail builder: what a mail reader gets, and the fast header path writes what compat32 does."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.policy import compat32

from hypothesis import given
from hypothesis import strategies as st

from app.outbox.transports import POLICY, Mail, build_message

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Rozmowa doradcza – Nowy Sącz\r\nEND:VCALENDAR\r\n"

header_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=120
)


@given(
    subject=header_text.filter(lambda s: s.strip()),
    recipient=st.emails(),
    body=st.text(max_size=400),
    with_ics=st.booleans(),
)
def test_fast_policy_writes_the_same_bytes_as_compat32(
    subject: str, recipient: str, body: str, with_ics: bool
) -> None:
    message = build_message(
        Mail("confirm:7", "Bilans Kariery <bilans@example.org>", recipient, subject, body,
             ICS if with_ics else None)
    )  # fmt: skip
    assert message.as_bytes(policy=POLICY) == message.as_bytes(policy=compat32)


def test_a_reader_gets_the_polish_subject_the_body_and_the_calendar() -> None:
    mail = Mail(
        "confirm:42",
        "Bilans Kariery <bilans@example.org>",
        "ewa@example.org",
        "Potwierdzenie: rozmowa doradcza we wtorek 1 grudnia, 17:30, Żabno",
        "Dzień dobry,\nzapraszamy na rozmowę.\n",
        ICS,
    )
    parsed = message_from_bytes(build_message(mail).as_bytes(policy=POLICY), policy=policy.default)
    assert parsed["Subject"] == mail.subject
    assert parsed["To"] == "ewa@example.org"
    parts = list(parsed.iter_parts())  # type: ignore[attr-defined]
    assert parts[0].get_content() == mail.body
    assert parts[1].get_content_type() == "text/calendar"
    assert parts[1].get_filename() == "bilans-kariery.ics"
    assert "Nowy Sącz" in parts[1].get_content()
    # One message per dedupe key: the same key, the same Message-ID (and a boundary of its own).
    assert parsed["Message-ID"] == message_from_bytes(build_message(mail).as_bytes())["Message-ID"]
