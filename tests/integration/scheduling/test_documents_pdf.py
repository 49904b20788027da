"""The documents' PDF as the participant gets it: WeasyPrint's file read back with pypdf has the
text that was typed, Polish letters included, in fonts embedded in the file, with the office and
the case in the header and the page numbers; pdftoppm turns the pages into images (kept with
``BILANS_SCREENSHOTS=1`` under ``screenshots/documents``) for a person to look at."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import COUNSELLOR, login, post_form
from tests.integration.scheduling.test_documents import FEEDBACK, PLAN, deep_case

PANGRAM = "Zażółć gęślą jaźń"
LONG_PLAN = {
    **PLAN,
    "goal": f"{PANGRAM}: praca w logistyce. " + "Ćwiczę codziennie planowanie dostaw. " * 6,
    **{f"act-{i}-action": f"Działanie {i + 1}: źdźbło, łódź, żółw" for i in range(12)},
    **{f"act-{i}-by_when": f"2027-0{1 + i % 9}-15" for i in range(12)},
    **{f"act-{i}-supports": "doradca zawodowy" for i in range(12)},
}


def _text(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def _embedded_fonts(reader: PdfReader) -> set[str]:
    """The names of the fonts whose program is in the file (FontFile, FontFile2, FontFile3)."""
    found: set[str] = set()

    def walk(font: Any) -> None:
        font = font.get_object()
        for child in font.get("/DescendantFonts", []):
            walk(child)
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.add(str(descriptor["/FontName"]))

    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            walk(ref)
    return found


async def _pdf(client: AsyncTestClient[Litestar], url: str, data: dict[str, str]) -> bytes:
    handed = await post_form(client, url, {**data, "op": "handover"}, follow_redirects=False)
    assert handed.status_code == 303, handed.text
    got = await client.get(f"{url}/1/pdf")
    assert got.status_code == 200
    return got.content


def _look(pdf: bytes, name: str, tmp_path: Path) -> list[Path]:
    """The pages as PNG images (pdftoppm), kept for a person when BILANS_SCREENSHOTS=1."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(source), str(tmp_path / name)], check=True)
    pages = sorted(tmp_path.glob(f"{name}-*.png"))
    if os.environ.get("BILANS_SCREENSHOTS"):
        keep = Path("screenshots/documents")
        keep.mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy(page, keep / page.name)
    return pages


@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
async def test_the_pdfs_hold_what_was_typed_in_embedded_fonts_with_polish_letters(
    client: AsyncTestClient[Litestar], db: AsyncSession, tmp_path: Path
) -> None:
    case, _who = await deep_case(db)
    await db.commit()
    await login(client, COUNSELLOR)
    base = f"/cases/{case.code}/record"
    ipr = await _pdf(client, f"{base}/ipr", LONG_PLAN)
    feedback = await _pdf(client, f"{base}/feedback", {**FEEDBACK, "situation": PANGRAM})

    text, reader = _text(ipr)
    assert PANGRAM in text
    assert "Działanie 12: źdźbło, łódź, żółw" in text
    assert "Doświadczenie w handlu" in text  # a scenario answer, under its question
    assert "Jakie zasoby kompetencyjne już posiadasz?" in text
    assert f"Sprawa {case.code}" in text  # the header on the pages
    assert len(reader.pages) >= 2
    assert f"Strona 2 z {len(reader.pages)}" in text
    fonts = _embedded_fonts(reader)
    assert any("DejaVu-Sans" in f for f in fonts), fonts

    text, reader = _text(feedback)
    assert "Sytuacja edukacyjno-zawodowa" in text
    assert PANGRAM in text
    assert any("DejaVu-Sans" in f for f in _embedded_fonts(reader))

    pages = _look(ipr, "ipr", tmp_path) + _look(feedback, "feedback", tmp_path)
    assert len(pages) >= 3
    assert all(page.stat().st_size > 5_000 for page in pages)  # drawn, not blank
