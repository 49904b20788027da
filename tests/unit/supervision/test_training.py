"""Training progress against the initial plan, and certificate upload checks."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.records.uploads import MAX_UPLOAD_BYTES, UploadKind, UploadRejected, check_upload
from supervision.enums import RecordKind
from supervision.training.training import (
    PlanItem,
    TrainingPlan,
    TrainingRecord,
    initial_plan,
    progress,
)

DAY = date(2027, 2, 1)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def record(kind: RecordKind, hours: float, item: str | None = None) -> TrainingRecord:
    return TrainingRecord(kind=kind, hours=hours, on=DAY, title="x", plan_item=item)


# --- the plan ------------------------------------------------------------------------------------


def test_initial_plan_has_35_group_hours_and_three_individual_meetings() -> None:
    plan = initial_plan()

    assert plan.hours_of(RecordKind.INITIAL_MODULE) == 35
    meetings = [i for i in plan.items if i.kind is RecordKind.INDIVIDUAL_MEETING]
    assert len(meetings) == 3


def test_later_hire_gets_individual_hours_instead_of_group_classes() -> None:
    regular, later = initial_plan(), initial_plan(later_hire=True)

    assert later.hours_of(RecordKind.INITIAL_MODULE) == 0
    assert later.hours_of(RecordKind.INDIVIDUAL_MEETING) > regular.hours_of(
        RecordKind.INDIVIDUAL_MEETING
    )
    assert {i.code for i in later.items} == {i.code for i in regular.items}


def test_a_plan_rejects_duplicate_codes_and_outside_kinds() -> None:
    item = PlanItem("M1", "Moduł", RecordKind.INITIAL_MODULE, 2)
    with pytest.raises(ValueError, match="unique"):
        TrainingPlan((item, item))
    with pytest.raises(ValueError, match="initial modules and individual meetings"):
        PlanItem("X", "Studia", RecordKind.POSTGRADUATE, 100)


# --- progress ------------------------------------------------------------------------------------


def test_nothing_done_is_zero_percent() -> None:
    result = progress(initial_plan(), [])

    assert result.percent == 0
    assert not result.complete
    assert result.plan_hours == 35 + 4.5


def test_progress_counts_named_modules_and_meetings_hand_counted() -> None:
    records = [
        record(RecordKind.INITIAL_MODULE, 5, "M1"),
        record(RecordKind.INITIAL_MODULE, 6, "M2"),
        record(RecordKind.INITIAL_MODULE, 3, "M3"),  # half of the 6 h module
        record(RecordKind.INDIVIDUAL_MEETING, 1.5),  # fills IND1
        record(RecordKind.INDIVIDUAL_MEETING, 2.0),  # fills IND2 (1.5), 0.5 h into IND3
        record(RecordKind.EXTERNAL_TRAINING, 16),
        record(RecordKind.POSTGRADUATE, 180),
    ]

    result = progress(initial_plan(), records)

    by_code = {i.item.code: i for i in result.items}
    assert by_code["M1"].complete
    assert by_code["M3"].percent == 50.0
    assert by_code["M4"].done_hours == 0
    assert [by_code[c].done_hours for c in ("IND1", "IND2", "IND3")] == [1.5, 1.5, 0.5]
    assert result.counted_hours == 5 + 6 + 3 + 3.5
    assert result.percent == round(100 * 17.5 / 39.5, 1)
    assert result.percent_of(RecordKind.INITIAL_MODULE) == 40.0
    assert result.hours_by_kind[RecordKind.INDIVIDUAL_MEETING] == 3.5
    assert result.extra_hours == 196


def test_extra_hours_in_one_module_do_not_hide_a_missing_one() -> None:
    plan = TrainingPlan(
        (
            PlanItem("A", "A", RecordKind.INITIAL_MODULE, 4),
            PlanItem("B", "B", RecordKind.INITIAL_MODULE, 4),
        )
    )

    result = progress(plan, [record(RecordKind.INITIAL_MODULE, 8, "A")])

    assert result.percent == 50.0
    assert not result.complete
    assert result.items[0].done_hours == 8


def test_external_training_never_counts_towards_the_initial_plan() -> None:
    result = progress(initial_plan(), [record(RecordKind.EXTERNAL_TRAINING, 100)])

    assert result.percent == 0
    assert result.extra_hours == 100


def test_everything_done_is_complete_at_one_hundred_percent() -> None:
    plan = initial_plan(later_hire=True)
    records = [record(i.kind, i.hours, i.code) for i in plan.items]

    result = progress(plan, records)

    assert result.complete
    assert result.percent == 100.0


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(RecordKind)),
            st.floats(0.25, 40, allow_nan=False),
            st.sampled_from([None, "M1", "M4", "IND2", "nope"]),
        ),
        max_size=30,
    )
)
def test_progress_stays_between_zero_and_one_hundred_and_keeps_every_hour(
    raw: list[tuple[RecordKind, float, str | None]],
) -> None:
    records = [record(kind, hours, item) for kind, hours, item in raw]

    result = progress(initial_plan(), records)

    assert 0 <= result.percent <= 100
    assert all(0 <= i.percent <= 100 for i in result.items)
    assert sum(result.hours_by_kind.values()) == pytest.approx(sum(h for _, h, _ in raw), abs=0.1)


# --- uploads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type", "head", "kind"),
    [
        ("certyfikat.pdf", "application/pdf", PDF, UploadKind.PDF),
        ("SKAN.PNG", "image/png", PNG, UploadKind.PNG),
        ("zdjęcie.jpg", "image/jpeg", JPEG, UploadKind.JPEG),
        ("zdjęcie.jpeg", "image/pjpeg", JPEG, UploadKind.JPEG),
        ("dyplom.pdf", "application/octet-stream", PDF, UploadKind.PDF),
        ("dyplom.pdf", None, PDF, UploadKind.PDF),
        ("C:\\Users\\anna\\dyplom.pdf", "application/pdf; charset=binary", PDF, UploadKind.PDF),
    ],
)
def test_pdf_png_and_jpeg_are_accepted(
    filename: str, content_type: str | None, head: bytes, kind: UploadKind
) -> None:
    assert check_upload(filename, content_type, head, 200_000) is kind


@pytest.mark.parametrize(
    ("filename", "content_type", "head", "size", "message"),
    [
        ("skrypt.exe", "application/pdf", PDF, 1000, "Niedozwolony typ pliku"),
        ("dokument.docx", None, b"PK\x03\x04", 1000, "Niedozwolony typ pliku"),
        ("strona.html", "text/html", b"<html>", 1000, "Niedozwolony typ pliku"),
        ("bez_rozszerzenia", None, PDF, 1000, "Niedozwolony typ pliku"),
        ("udawany.pdf", "application/pdf", b"MZ\x90\x00", 1000, "Zawartość pliku nie jest"),
        (
            "obraz.pdf",
            "application/pdf",
            PNG,
            1000,
            "(.pdf) nie zgadza się z jego zawartością (PNG)",
        ),
        ("dyplom.pdf.exe", None, PDF, 1000, "Niedozwolony typ pliku"),
        ("skan.png", "text/html", PNG, 1000, "Typ pliku (text/html) nie zgadza się"),
        ("duzy.pdf", "application/pdf", PDF, MAX_UPLOAD_BYTES + 1, "za duży (10,1 MB)"),
        ("pusty.pdf", "application/pdf", b"", 0, "Plik jest pusty"),
        ("", None, PDF, 1000, "Wybierz plik"),
    ],
)
def test_wrong_types_and_sizes_are_rejected_with_a_clear_polish_message(
    filename: str, content_type: str | None, head: bytes, size: int, message: str
) -> None:
    with pytest.raises(UploadRejected) as caught:
        check_upload(filename, content_type, head, size)

    assert message in caught.value.message


def test_a_file_of_exactly_the_limit_is_accepted_and_the_limit_is_named() -> None:
    assert check_upload("a.pdf", None, PDF, MAX_UPLOAD_BYTES) is UploadKind.PDF
    with pytest.raises(UploadRejected, match="Największy dozwolony rozmiar to 2 MB"):
        check_upload("a.pdf", None, PDF, 3 * 1024 * 1024, max_bytes=2 * 1024 * 1024)


@given(st.binary(max_size=16))
def test_random_bytes_pass_only_when_they_start_like_the_named_type(head: bytes) -> None:
    try:
        kind = check_upload("plik.png", None, head, 1000)
    except UploadRejected:
        assert not head.startswith(PNG[:8])
    else:
        assert kind is UploadKind.PNG
        assert head.startswith(PNG[:8])
