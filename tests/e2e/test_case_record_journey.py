"""A deep case's whole record in Chromium (issue 14, acceptance point 1).

A counsellor, typing through the pages, fills the participant card (a school, a course, a job),
the biographical interview (each area's time and notes and one answer), a STAR situation, NBK
(two competences) and KZZ (social approval below the threshold: diagnostic), a portfolio
document with a small PDF and a physical item, a competence-card row; the summary meeting is
held; the IPR and the feedback are written and handed over and the case completed through its
action. Both documents' PDFs are then read back with pypdf (every typed Polish text is in
them, the DejaVu font embedded) and drawn with pdftoppm. Every record page is axe-clean at
1280 px, the main ones also at 390 px without sideways scrolling.

Polish text with ą ć ę ł ń ó ś ź ż goes into every field the test reads back. "Time passes" as
in ``test_case_journey``: the summary meeting booked ahead is moved to earlier on the demo's
day in the server's database, then marked held on the bookings page.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader, PdfWriter

from tests.clock import DEMO_DAY
from tests.e2e.axe import SCREENSHOTS, axe_check, login_as, screenshot
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, PageAt
from tests.e2e.test_case_journey import _act, _mark_held, _time_passes
from tests.e2e.test_records_pages import check_layout

pytestmark = pytest.mark.browser

# What the counsellor types and the documents must carry back (each with Polish letters).
PLAN = {
    "aim": "Zażółć gęślą jaźń: przegląd kompetencji i wybór ścieżki rozwoju",
    "goal": "Praca spedytorki w firmie logistycznej w Łodzi",
    "form": "Kurs spedycji międzynarodowej z certyfikatem",
    "term": "jesień 2026",
    "side_goal": "Nauka języka niemieckiego na poziomie B1",
    "action": "Złożyć wniosek o bon szkoleniowy",
    "supports": "Doradczyni Ewa Żółkiewska",
    "answer": "Doświadczenie w magazynie, prawo jazdy kat. C, cierpliwość",
}
FEEDBACK = {
    "Uzgodniony i zrealizowany zakres oraz cel Bilansu Kariery": "Bilans pogłębiony: ścieżka w logistyce",
    "Sytuacja edukacyjno-zawodowa": "Technikum ekonomiczne; 12 lat pracy w magazynie w Zgierzu",
    "Zainteresowania i predyspozycje": "Zainteresowania biurowe i przedsiębiorcze; łatwość liczenia",
    "Kompetencje posiadane": "Organizacja pracy, obsługa wózka widłowego, rzetelność",
    "Kompetencje, które warto rozwijać": "Język niemiecki, obsługa systemów spedycyjnych",
    "Wartości, aspiracje i cele rozwojowe": "Stabilność, rozwój, źdźbło ambicji: własna firma",
}  # fmt: skip


def _deep_case_at_its_summary(database: Path) -> tuple[str, str, int]:
    """A deep case in the summary stage with its summary meeting booked ahead, whose counsellor
    holds NBK and KZZ licences valid on the demo's day: its code, the counsellor's e-mail and
    the summary's booking."""
    day = DEMO_DAY.isoformat()
    with sqlite3.connect(database) as conn:
        row = conn.execute(
            "SELECT c.code, u.email, b.id FROM bilans_case c"
            " JOIN user_account u ON u.id = c.counsellor_id"
            " JOIN booking b ON b.case_id = c.id AND b.kind = 'follow_up'"
            "  AND b.status = 'booked' AND b.parts = 'summary'"
            " WHERE c.variant = 'deep' AND c.status = 'summary' AND 2 = ("
            "  SELECT COUNT(DISTINCT t.code) FROM tool_licence l JOIN tool t ON t.id = l.tool_id"
            "  WHERE l.counsellor_id = c.counsellor_id AND t.code IN ('NBK', 'KZZ')"
            "  AND l.issued_on <= ? AND (l.expires_on IS NULL OR l.expires_on >= ?))"
            " ORDER BY c.code LIMIT 1",
            (day, day),
        ).fetchone()
    assert row is not None, "the demo has no deep case waiting for its summary"
    return str(row[0]), str(row[1]), int(row[2])


def _add_row(page: Page, target: str, fields: dict[str, str], *, select: str = "") -> Locator:
    """Open a repeatable section's "Dodaj" form, type into it and add the row (htmx)."""
    section = page.locator(f"#{target}")
    before = section.locator("li.record-item").count()
    section.locator("summary").click()
    if select:
        label, option = select.split("=", 1)
        section.get_by_label(label).select_option(label=option)
    for label, text in fields.items():
        section.get_by_label(label, exact=True).fill(text)
    section.get_by_role("button", name="Dodaj", exact=True).click()
    section = page.locator(f"#{target}")
    expect(section.locator("li.record-item")).to_have_count(before + 1)
    return section


def _look(page: Page, name: str) -> None:
    """The page as it is: axe-clean, one h1, no sideways scroll, a screenshot when asked."""
    page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
    check_layout(page)
    axe_check(page)
    size = page.viewport_size or {"width": 0}
    screenshot(page, f"journey-{name}-{size['width']}")


def _fill_card(page: Page, code: str) -> None:
    page.goto(f"/cases/{code}/record/card")
    school = {"Nazwa szkoły *": "Technikum Ekonomiczne nr 2 w Łodzi", "Od roku": "1998"}
    section = _add_row(page, "rows-school", school, select="Poziom *=średnia zawodowa / technikum")
    expect(section).to_contain_text("Technikum Ekonomiczne nr 2 w Łodzi")
    course = {
        "Nazwa kursu lub szkolenia *": "Kurs operatora wózków jezdniowych",
        "Liczba godzin": "40",
        "Efekty uczenia się": "Bezpieczna obsługa wózka, załadunek ciężarówek",
    }
    section = _add_row(page, "rows-course", course)
    expect(section).to_contain_text("Kurs operatora wózków jezdniowych")
    job = {
        "Pracodawca *": "Hurtownia Żurawiejka sp. z o.o.",
        "Stanowisko": "Magazynierka",
        "Zakres obowiązków": "Przyjęcie towaru, inwentaryzacja, wydawanie zleceń",
    }
    section = _add_row(page, "rows-job", job, select="Forma zatrudnienia *=umowa o pracę")
    expect(section).to_contain_text("Hurtownia Żurawiejka sp. z o.o.")
    _look(page, "card")


def _fill_biography(page: Page, code: str) -> None:
    page.goto(f"/cases/{code}/record/biography")
    for area, minutes, total, notes in (
        ("education", "25", 25, "Szkoła średnia ukończona z wyróżnieniem; myśli o studiach"),
        ("work", "40", 65, "Dwanaście lat w magazynie; awans na kierowniczkę zmiany"),
        ("personal", "15", 80, "Wychowuje dwoje dzieci; gra w siatkówkę"),
    ):
        box = page.locator(f"#area-{area}")
        box.get_by_label("Czas (minuty)").fill(minutes)
        box.get_by_label("Notatki", exact=True).fill(notes)
        box.get_by_role("button", name="Zapisz").click()
        # Saved once the area itself is swapped in ("Zapisano."): htmx swaps the out-of-band
        # total first, so the total alone can show before the area's new form is in the page.
        expect(box.get_by_role("status")).to_contain_text("Zapisano.")
        expect(page.locator("#total-minutes")).to_contain_text(f"{total} min")
        section = page.locator(f"#rows-answer-{area}")
        section.locator("summary").click()
        section.get_by_label("Pytanie z listy").select_option(index=1)
        section.get_by_label("Notatki z odpowiedzi").fill(f"Odpowiedź ({area}): źródło motywacji")
        section.get_by_role("button", name="Dodaj", exact=True).click()
        expect(page.locator(f"#rows-answer-{area} li.record-item")).to_have_count(1)
    _look(page, "biography")
    page.reload()  # saved, not only shown
    expect(page.locator("#total-minutes")).to_contain_text("80 min")
    expect(page.locator("#area-work").get_by_label("Notatki", exact=True)).to_have_value(
        "Dwanaście lat w magazynie; awans na kierowniczkę zmiany"
    )


def _fill_star(page: Page, code: str) -> None:
    page.goto(f"/cases/{code}/record/star")
    star = {
        "Sytuacja (S) *": "Nagła awaria systemu magazynowego przed świętami",
        "Zadanie (T)": "Wydać zamówienia na czas",
        "Działanie (A)": "Przeszła na listy papierowe i podzieliła zespół na dwie zmiany",
        "Rezultat (R)": "Wszystkie zamówienia wyszły w terminie",
        "Wykazane kompetencje": "Organizacja pracy, kierowanie zespołem",
    }
    section = _add_row(page, "rows-star-work", star)
    expect(section).to_contain_text("Nagła awaria systemu magazynowego przed świętami")
    _look(page, "star")


def _record_tools(page: Page, code: str) -> None:
    page.goto(f"/cases/{code}/record/tools")
    _look(page, "tools-empty")
    page.get_by_role("link", name="Narzędzie Badania Kompetencji").click()
    expect(page.locator("h1")).to_contain_text("Narzędzie Badania Kompetencji")
    form = page.locator("#tool-form")
    form.get_by_label("Wariant").select_option("basic")
    form.get_by_label("Liczba pytań").fill("40")
    form.get_by_label("Kompetencja 1", exact=True).fill("Zarządzanie zespołem")
    form.get_by_label("Poziom kompetencji 1").select_option("4")
    form.get_by_label("Kompetencja 2", exact=True).fill("Rozwiązywanie problemów")
    form.get_by_label("Poziom kompetencji 2").select_option("3")
    _look(page, "tools-nbk")
    form.get_by_role("button", name="Zapisz wynik").last.click()
    expect(page.locator("h1")).to_have_text("Wyniki narzędzi")
    nbk = page.locator("article", has_text="Narzędzie Badania Kompetencji")
    expect(nbk).to_contain_text("Zarządzanie zespołem")
    expect(nbk).to_contain_text("Rozwiązywanie problemów")

    page.get_by_role("link", name="Kwestionariusz Zainteresowań Zawodowych").click()
    form = page.locator("#tool-form")
    for i, box in enumerate(form.locator("input[name^=sten_]").all()):
        box.fill(str(3 + i % 7))
    form.get_by_label("aprobata społeczna (skala kontrolna)").fill("4")  # below 8: diagnostic
    form.get_by_label("zgodność odpowiedzi (skala kontrolna)").fill("6")
    form.get_by_label("Uwagi doradcy (opcjonalnie)").fill(
        "Wyraźny profil biurowy; żadnych wątpliwości"
    )
    _look(page, "tools-kzz")
    form.get_by_role("button", name="Zapisz wynik").last.click()
    expect(page.locator("h1")).to_have_text("Wyniki narzędzi")
    kzz = page.locator("article", has_text="Kwestionariusz Zainteresowań Zawodowych")
    expect(kzz).to_contain_text("wynik diagnostyczny")
    expect(kzz).not_to_contain_text("NIEDIAGNOSTYCZNY")
    expect(kzz).to_contain_text("Wyraźny profil biurowy; żadnych wątpliwości")
    _look(page, "tools")


def _small_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "Świadectwo"})
    with path.open("wb") as out:
        writer.write(out)
    return path


def _fill_portfolio(page: Page, code: str, evidence_file: Path) -> None:
    page.goto(f"/cases/{code}/record/portfolio")
    page.get_by_label("Dokument", exact=True).check()
    page.get_by_label("Rodzaj dowodu").select_option(label="Świadectwo pracy")
    page.get_by_label("Tytuł").fill("Świadectwo pracy z hurtowni Żurawiejka")
    page.get_by_label("Opis").fill("Potwierdza staż pracy i stanowisko kierowniczki zmiany")
    page.get_by_label("Plik dokumentu").set_input_files(str(evidence_file))
    page.get_by_role("button", name="Dodaj do portfolio").click()
    expect(page.locator("#portfolio tbody tr")).to_have_count(1)
    page.get_by_label("Przedmiot pokazany na spotkaniu").check()
    page.get_by_label("Rodzaj dowodu").select_option(label="Próbka pracy")
    page.get_by_label("Tytuł").fill("Własnoręcznie wykonany plan rozmieszczenia półek")
    page.get_by_role("button", name="Dodaj do portfolio").click()
    rows = page.locator("#portfolio tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Świadectwo pracy z hurtowni Żurawiejka")).to_contain_text(
        evidence_file.name
    )
    expect(rows.filter(has_text="Własnoręcznie wykonany plan")).to_contain_text("Przedmiot")
    link = page.get_by_role("link", name=evidence_file.name)
    href = link.get_attribute("href")
    assert href is not None
    download = page.request.get(href)
    assert download.status == 200
    assert download.body() == evidence_file.read_bytes()
    _look(page, "portfolio")


def _fill_competences(page: Page, code: str) -> None:
    page.goto(f"/cases/{code}/record/competences")
    new = page.locator("#row-new")
    new.get_by_label("Efekt uczenia się").fill("Planuje pracę zespołu magazynowego")
    new.get_by_label("Doświadczenie, które go potwierdza").fill("Kierowniczka zmiany od 2019 r.")
    new.get_by_label("Dowody", exact=True).fill("Opinia przełożonego")
    new.get_by_label("Świadectwo pracy z hurtowni Żurawiejka").check()  # a portfolio item
    new.get_by_role("button", name="Dodaj wiersz").click()
    row = page.locator("#card table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("Planuje pracę zespołu magazynowego")
    expect(row.locator("td").nth(1)).to_have_text("Kierowniczka zmiany od 2019 r.")
    expect(row.locator("td").nth(2)).to_have_text(
        "Opinia przełożonego; Świadectwo pracy z hurtowni Żurawiejka"
    )
    _look(page, "competences")


def _handed_over(page: Page) -> int:
    """Hand the document over; the version it became."""
    page.get_by_role("button", name="Przekaż uczestnikowi").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Przekazano uczestnikowi wersję")
    found = re.search(r"wersję (\d+)", status.inner_text())
    assert found is not None, status.inner_text()
    return int(found.group(1))


def _write_plan(page: Page, code: str) -> int:
    page.goto(f"/cases/{code}/record/ipr")
    page.get_by_label("Uzgodniony cel i zakres Bilansu Kariery").fill(PLAN["aim"])
    page.get_by_label("Rodzaj celu").select_option(label="zmiana pracy")
    page.get_by_label("Opis celu").fill(PLAN["goal"])
    page.get_by_label("Stopień zaawansowania celu (1–10)").fill("4")
    form = page.locator("#lf-rows fieldset.doc-row").first
    form.get_by_label("Forma", exact=True).select_option(label="kurs")
    form.get_by_label("Czego dotyczy").fill(PLAN["form"])
    form.get_by_label("Kiedy").fill(PLAN["term"])
    page.get_by_label("Cel", exact=True).first.fill(PLAN["side_goal"])
    action = page.locator("#act-rows fieldset.doc-row").first
    action.get_by_label("Działanie", exact=True).fill(PLAN["action"])
    action.get_by_label("Termin").fill("2026-10-15")
    action.get_by_label("Kto wspiera").fill(PLAN["supports"])
    page.get_by_label("Jakie zasoby kompetencyjne już posiadasz?").fill(PLAN["answer"])
    _look(page, "ipr")
    return _handed_over(page)


def _write_feedback(page: Page, code: str) -> int:
    page.goto(f"/cases/{code}/record/feedback")
    for label, text in FEEDBACK.items():
        page.get_by_label(label, exact=True).fill(text)
    _look(page, "feedback")
    return _handed_over(page)


def _words(text: str) -> str:
    return " ".join(text.split())


def _embedded_fonts(reader: PdfReader) -> set[str]:
    """Base names of the fonts whose program is in the file (TrueType/CFF), page by page."""
    names = set()
    for page in reader.pages:
        fonts: Any = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descendant.get_object()["/BaseFont"]))
    return names


def _read_pdf(page: Page, url: str, name: str, out: Path) -> str:
    """Download a PDF with the signed-in context, check its font, draw its pages; its text."""
    response = page.request.get(url)
    assert response.status == 200, f"{url}: {response.status}"
    assert response.headers["content-type"].startswith("application/pdf")
    body = response.body()
    reader = PdfReader(BytesIO(body))
    fonts = _embedded_fonts(reader)
    assert any("DejaVu" in f for f in fonts), f"{url}: embedded fonts {fonts}"
    if os.environ.get("BILANS_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        out = SCREENSHOTS
    pdf = out / f"{name}.pdf"
    pdf.write_bytes(body)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(pdf), str(out / f"journey-{name}-pdf")],
        check=True,
        timeout=60,
    )
    assert len(list(out.glob(f"journey-{name}-pdf-*.png"))) == len(reader.pages)
    return _words("\n".join(p.extract_text() for p in reader.pages))


def _on_a_phone(page: Page, code: str) -> None:
    page.goto(f"/cases/{code}/record")
    for section, count in (("Karta uczestnika", 3), ("Wywiad biograficzny", 3), ("Wywiad behawioralny", 1)):  # fmt: skip
        row = page.locator("table.record-overview tr", has_text=section)
        expect(row.locator("td")).to_have_text(
            re.compile(rf"^\s*wypełniono {count} pozycj[aei]\s*$")
        )
    for part in ("", "/card", "/tools", "/ipr"):
        page.goto(f"/cases/{code}/record{part}")
        _look(page, (part.strip("/") or "overview") + "-done")


def test_a_counsellor_records_a_whole_deep_bilans_and_hands_over_its_documents(
    fresh_server: LiveServer, page_at: PageAt, tmp_path: Path
) -> None:
    code, counsellor, summary = _deep_case_at_its_summary(fresh_server.database)
    wide = page_at(*DESKTOP, server=fresh_server.url)
    phone = page_at(*PHONE, server=fresh_server.url)
    login_as(wide, counsellor)
    login_as(phone, counsellor)

    wide.goto(f"/cases/{code}/record")
    _look(wide, "overview")
    _fill_card(wide, code)
    _fill_biography(wide, code)
    _fill_star(wide, code)
    _record_tools(wide, code)
    _fill_portfolio(wide, code, _small_pdf(tmp_path / "swiadectwo-pracy.pdf"))
    _fill_competences(wide, code)

    # The summary meeting is held today; the documents are handed over in it (S25-S27).
    _time_passes(fresh_server.database, [summary], start_hours_ago=2)
    _mark_held(wide, summary)
    wide.goto(f"/cases/{code}")
    expect(wide.get_by_role("button", name="Zakończ Bilans Kariery")).to_have_count(0)
    plan_version = _write_plan(wide, code)
    feedback_version = _write_feedback(wide, code)
    _act(wide, code, "Zakończ Bilans Kariery")
    expect(wide.get_by_text("zakończona").first).to_be_visible()
    _look(wide, "case-completed")

    for kind, version in (("ipr", plan_version), ("feedback", feedback_version)):
        wide.goto(f"/cases/{code}/record/{kind}/{version}")
        _look(wide, f"{kind}-print")
    plan = _read_pdf(wide, f"/cases/{code}/record/ipr/{plan_version}/pdf", "ipr", tmp_path)
    for text in (*PLAN.values(), "zmiana pracy", "Indywidualny Plan Rozwoju", code):
        assert _words(text) in plan, f"the IPR's PDF lacks {text!r}:\n{plan}"
    feedback = _read_pdf(
        wide, f"/cases/{code}/record/feedback/{feedback_version}/pdf", "feedback", tmp_path
    )
    for text in FEEDBACK.values():
        assert _words(text) in feedback, f"the feedback's PDF lacks {text!r}:\n{feedback}"

    _on_a_phone(phone, code)
