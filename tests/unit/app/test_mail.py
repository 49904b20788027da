"""The mail builder: what a mail reader gets, and the fast header path writes what compat32 does."""

from __future__ import annotations

import html as html_lib
import re
from email import message_from_bytes, policy
from email.policy import compat32

from hypothesis import given
from hypothesis import strategies as st

from app.outbox.render import render_mail
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


def test_a_mail_with_html_has_both_parts_the_real_date_offset_and_a_reply_to() -> None:
    ics = ICS.replace("VERSION:2.0\r\n", "VERSION:2.0\r\nMETHOD:CANCEL\r\n")
    mail = Mail(
        "cancel:9", "Bilans Kariery <bilans@example.org>", "ewa@example.org", "Odwołano",
        "Dzień dobry – tekst", ics, "<p>Dzień dobry – <b>HTML</b></p>", "biuro@example.org",
    )  # fmt: skip

    read = message_from_bytes(build_message(mail).as_bytes(policy=POLICY), policy=policy.default)

    assert read.get_body(("plain",)).get_content().strip() == "Dzień dobry – tekst"  # type: ignore[union-attr]
    assert "<b>HTML</b>" in read.get_body(("html",)).get_content()  # type: ignore[union-attr]
    [calendar] = [p for p in read.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "CANCEL"
    assert str(calendar["Content-Type"]).count("charset") == 1
    assert read["Reply-To"] == "biuro@example.org"
    assert re.search(r" \+0[12]00$", str(read["Date"]))  # Warsaw's offset, never -0000
    assert read["Message-ID"].endswith("@bilans.wup-krakow.pl>")


def test_the_text_and_html_parts_of_a_booking_mail_carry_the_same_facts() -> None:
    context = {
        "subject": "Potwierdzenie", "head": "Dziękujemy za zapis.", "moved": False,
        "when": "środa, 13 stycznia 2027, 17:00–18:30 (czas polski)",
        "where": "Urząd <Miasta>, Rynek 1, 34-120 Andrychów", "access": "Wejście bez schodów.",
        "counsellor": "Anna Nowak", "case_code": "BK/2027/0001",
        "manage_url": "https://bilans.example/manage/abc?x=1&y=2", "contact_phone": "12 424 07 00",
    }  # fmt: skip

    parts = render_mail("confirmation", **context)

    visible = html_lib.unescape(re.sub(r"<[^>]+>", " ", parts.html))
    for fact in (
        "when",
        "where",
        "access",
        "counsellor",
        "case_code",
        "manage_url",
        "contact_phone",
    ):
        assert context[fact] in parts.text
        assert context[fact] in visible
    assert "Urząd &lt;Miasta&gt;" in parts.html  # escaped in HTML, as typed in the text
