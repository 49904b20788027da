"""Quarterly quality indicators per counsellor: quarters, row building, chart and exports (pure).

The service runs SQL aggregates for a quarter (``SELECT counsellor_id, count(*) ... GROUP BY``)
and feeds them here as plain :class:`Aggregate` records; this module turns them into one
:class:`IndicatorRow` per counsellor, the quarter's totals, and renders the comparison chart (SVG)
and the exports.

Definitions, written down (what the service counts is in its module docstring):

- recruitment interviews held: interview bookings marked attended, on the interview's day;
- participants supported (S48, the head of unit's quarterly figure) = basic + deep cases
  completed in the quarter (S30). *Decision*: a basic case completes when the interview oriented
  the choice of training (S13), so it counts as a person supported, as the seed's project totals
  count every participant of either variant (S53: 4,845 participants, 582 of them deep);
- deep share (S3: "about 13%", S53: 582 of 4,845): deep cases among the cases whose recruitment
  interview in the quarter ended with a variant chosen (basic or deep); declined and not eligible
  people chose no variant and are in neither count. Shown beside the seed's 13%;
- no-show rate = no-shows / (meetings held + no-shows); cancelled meetings count in neither;
  ``None`` when there was nothing to count;
- median days to complete a deep case: over the deep cases completed in the quarter, days from
  the recruitment interview (where the 6-month limit starts, S29) to completion (the service
  passes one number per case: SQLite has no median);
- cases over the limit (S29): cases not completed whose 6-month deadline had passed by the day
  the quarter is counted to (computed by the service).
- outcome surveys (S33): sent and answered in the quarter; among the answers, a training
  started or finished, a job changed; the mean usefulness of the plan (1-5) is recomputed from
  the sum of the answers and their count (so the totals row is not a mean of means).

Team totals (S48, what the head of unit reads first): the quarter's sums across counsellors
(:func:`quarter_totals`) and the mean per counsellor (:func:`quarter_means`), each count divided
by the number of counsellors listed; rates and shares in both are recomputed from the sums, not
averaged.

Exports go through :mod:`app.exports`: CSV in the form a Polish Excel opens (``;``, decimal
comma, UTF-8 BOM, CRLF) with the numbers rounded as the page shows them (at least one decimal
place, so the mean row keeps its decimals), XLSX with real numbers; both end with the totals and
the means.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from app import exports

__all__ = [
    "COLUMNS",
    "DEEP_SHARE_EXPECTED_PCT",
    "NUMERIC_COLUMNS",
    "NUMERIC_KEYS",
    "Aggregate",
    "Column",
    "CounsellorRef",
    "IndicatorRow",
    "Metric",
    "Quarter",
    "build_indicator_rows",
    "deep_share_of",
    "median",
    "no_show_rate",
    "quarter_means",
    "quarter_totals",
    "render_bar_chart_svg",
    "to_csv",
    "to_xlsx",
]


# --- quarters ------------------------------------------------------------------------------------

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int
    q: int

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise ValueError("quarter must be 1 to 4")
        if not 1 <= self.year <= 9998:
            raise ValueError("year out of range")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse ``"2027-Q1"`` (also ``"2027Q1"``, ``"2027-q1"``)."""
        match = _QUARTER_RE.match(text)
        if match is None:
            raise ValueError(f"Nieprawidłowy kwartał: {text!r} (oczekiwano np. 2027-Q1).")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end_exclusive(self) -> date:
        """First day of the next quarter (for ``>= start AND < end_exclusive`` in SQL)."""
        return self.next().start

    @property
    def end(self) -> date:
        """Last day of the quarter, inclusive."""
        return self.end_exclusive - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{_ROMAN[self.q]} kwartał {self.year}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"


# --- small helpers -------------------------------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
    """The median, or ``None`` for no values (mean of the two middle values for an even count)."""
    data = list(values)
    return float(statistics.median(data)) if data else None


DEEP_SHARE_EXPECTED_PCT = 13  # "wybiera około 13%" (S3); 582 of 4,845 by the end of 2017 (S53)


def deep_share_of(deep: int, chosen: int) -> float | None:
    """Deep cases among the cases with a variant chosen, in per cent (S3); ``None`` for none."""
    if deep < 0 or chosen < deep:
        raise ValueError("deep cases must be between 0 and the cases with a variant chosen")
    return round(100 * deep / chosen, 1) if chosen else None


def no_show_rate(held: int, no_shows: int) -> float | None:
    """Share of planned meetings the participant missed: no_shows / (held + no_shows)."""
    if held < 0 or no_shows < 0:
        raise ValueError("counts cannot be negative")
    total = held + no_shows
    return no_shows / total if total else None


# --- rows ----------------------------------------------------------------------------------------


class Metric(StrEnum):
    """Summable quantities the service aggregates in SQL, one :class:`Aggregate` each."""

    INTERVIEWS_HELD = "interviews_held"
    VARIANTS_CHOSEN = "variants_chosen"
    DEEP_CHOSEN = "deep_chosen"
    BASIC_COMPLETED = "basic_completed"
    DEEP_COMPLETED = "deep_completed"
    MEETINGS_HELD = "meetings_held"
    NO_SHOWS = "no_shows"
    DUTY_HOURS = "duty_hours"
    CASES_OVER_LIMIT = "cases_over_limit"
    SUPERVISION_HOURS = "supervision_hours"
    TRAINING_HOURS = "training_hours"
    SURVEYS_SENT = "surveys_sent"
    SURVEYS_ANSWERED = "surveys_answered"
    SURVEY_TRAINING_STARTED = "survey_training_started"
    SURVEY_JOB_CHANGED = "survey_job_changed"
    USEFULNESS_SUM = "usefulness_sum"


@dataclass(frozen=True, slots=True)
class CounsellorRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One SQL aggregate: ``value`` of ``metric`` for ``counsellor_id``. Repeats add up."""

    counsellor_id: int
    metric: Metric
    value: float


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    counsellor_id: int
    counsellor_name: str
    interviews_held: int = 0
    variants_chosen: int = 0  # interviews of the quarter that ended with basic or deep (S3)
    deep_chosen: int = 0
    basic_completed: int = 0
    deep_completed: int = 0
    meetings_held: int = 0
    no_shows: int = 0
    duty_hours: float = 0.0
    cases_over_limit: int = 0
    supervision_hours: float = 0.0
    training_hours: float = 0.0
    surveys_sent: int = 0  # outcome surveys (S33) mailed in the quarter
    surveys_answered: int = 0
    survey_training_started: int = 0  # answers: a training started or finished
    survey_job_changed: int = 0
    usefulness_sum: float = 0.0  # the answers' usefulness of the plan (1-5), added up
    median_days_deep: float | None = None

    @property
    def participants_supported(self) -> int:
        """People supported (S48): cases completed in the quarter, basic and deep (S30)."""
        return self.basic_completed + self.deep_completed

    @property
    def deep_share_pct(self) -> float | None:
        return deep_share_of(self.deep_chosen, self.variants_chosen)

    @property
    def mean_usefulness(self) -> float | None:
        """The answers' mean usefulness of the plan (1-5), one decimal; None without answers."""
        if not self.surveys_answered:
            return None
        return round(self.usefulness_sum / self.surveys_answered, 1)

    @property
    def no_show_rate(self) -> float | None:
        return no_show_rate(self.meetings_held, self.no_shows)

    @property
    def no_show_rate_pct(self) -> float | None:
        rate = self.no_show_rate
        return None if rate is None else round(rate * 100, 1)


_INT_METRICS = {
    Metric.INTERVIEWS_HELD,
    Metric.VARIANTS_CHOSEN,
    Metric.DEEP_CHOSEN,
    Metric.BASIC_COMPLETED,
    Metric.DEEP_COMPLETED,
    Metric.MEETINGS_HELD,
    Metric.NO_SHOWS,
    Metric.CASES_OVER_LIMIT,
    Metric.SURVEYS_SENT,
    Metric.SURVEYS_ANSWERED,
    Metric.SURVEY_TRAINING_STARTED,
    Metric.SURVEY_JOB_CHANGED,
}


def build_indicator_rows(
    counsellors: Sequence[CounsellorRef],
    aggregates: Iterable[Aggregate],
    deep_case_days: Iterable[tuple[int, float]] = (),
) -> list[IndicatorRow]:
    """One row per counsellor, in the order given; counsellors without data get zeros.

    ``deep_case_days`` holds ``(counsellor_id, days from opening to completion)`` for every deep
    case completed in the quarter. An aggregate or duration for a counsellor not in
    ``counsellors`` is a bug in the caller and raises ``ValueError``.
    """
    totals: dict[int, dict[Metric, float]] = {c.id: {} for c in counsellors}
    days: dict[int, list[float]] = {c.id: [] for c in counsellors}
    for agg in aggregates:
        if agg.counsellor_id not in totals:
            raise ValueError(f"aggregate for unknown counsellor {agg.counsellor_id}")
        bucket = totals[agg.counsellor_id]
        bucket[agg.metric] = bucket.get(agg.metric, 0.0) + agg.value
    for counsellor_id, value in deep_case_days:
        if counsellor_id not in days:
            raise ValueError(f"deep case for unknown counsellor {counsellor_id}")
        days[counsellor_id].append(value)

    rows: list[IndicatorRow] = []
    for counsellor in counsellors:
        got = totals[counsellor.id]
        ints = {m.value: round(got.get(m, 0.0)) for m in _INT_METRICS}
        rows.append(
            IndicatorRow(
                counsellor_id=counsellor.id,
                counsellor_name=counsellor.name,
                duty_hours=round(got.get(Metric.DUTY_HOURS, 0.0), 2),
                supervision_hours=round(got.get(Metric.SUPERVISION_HOURS, 0.0), 2),
                training_hours=round(got.get(Metric.TRAINING_HOURS, 0.0), 2),
                usefulness_sum=got.get(Metric.USEFULNESS_SUM, 0.0),
                median_days_deep=median(days[counsellor.id]),
                **ints,
            )
        )
    return rows


_NOT_SUMMED = frozenset({"counsellor_id", "counsellor_name", "median_days_deep"})


def quarter_totals(rows: Iterable[IndicatorRow]) -> IndicatorRow:
    """The quarter across counsellors, as one row: what the head of unit reads first (S48) and
    the deep share to set beside the seed's 13% (S3). The counts are added up, the rates and
    shares recomputed from the sums (not averaged); no median (the rows hold only theirs)."""
    rows = list(rows)
    sums: dict[str, Any] = {
        f.name: sum(getattr(r, f.name) for r in rows)
        for f in fields(IndicatorRow)
        if f.name not in _NOT_SUMMED
    }
    rounded: dict[str, Any] = {
        k: round(v, 2) if isinstance(v, float) else v for k, v in sums.items()
    }
    return IndicatorRow(counsellor_id=0, counsellor_name="Razem", **rounded)


def quarter_means(rows: Iterable[IndicatorRow]) -> IndicatorRow | None:
    """The mean per counsellor of every count of the quarter, as one row (not rounded: the page
    and the exports show one decimal); rates and shares are the totals' (a ratio of means is
    the ratio of sums); ``None`` without counsellors."""
    rows = list(rows)
    if not rows:
        return None
    totals = quarter_totals(rows)
    means: dict[str, Any] = {
        f.name: getattr(totals, f.name) / len(rows)
        for f in fields(IndicatorRow)
        if f.name not in _NOT_SUMMED
    }
    return IndicatorRow(counsellor_id=0, counsellor_name="Średnio na doradcę", **means)


# --- columns shared by the chart and the exports -------------------------------------------------

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # Polish
    value: Callable[[IndicatorRow], Cell]
    decimals: int = 0  # for display and XLSX number format


COLUMNS: tuple[Column, ...] = (
    Column("counsellor_name", "Doradca", lambda r: r.counsellor_name),
    Column("interviews_held", "Rozmowy doradczo-rekrutacyjne", lambda r: r.interviews_held),
    Column("variants_chosen", "Rozmowy z wybranym wariantem", lambda r: r.variants_chosen),
    Column("deep_chosen", "W tym wariant pogłębiony", lambda r: r.deep_chosen),
    Column(
        "deep_share_pct",
        f"Odsetek wariantu pogłębionego (%, założenie ok. {DEEP_SHARE_EXPECTED_PCT}%)",
        lambda r: r.deep_share_pct,
        1,
    ),
    Column("basic_completed", "Zakończone Bilanse podstawowe", lambda r: r.basic_completed),
    Column("deep_completed", "Zakończone Bilanse pogłębione", lambda r: r.deep_completed),
    Column("participants_supported", "Wsparci uczestnicy", lambda r: r.participants_supported),
    Column("meetings_held", "Odbyte spotkania", lambda r: r.meetings_held),
    Column("no_shows", "Nieobecności uczestników", lambda r: r.no_shows),
    Column("no_show_rate_pct", "Odsetek nieobecności (%)", lambda r: r.no_show_rate_pct, 1),
    Column("duty_hours", "Godziny dyżurów", lambda r: r.duty_hours, 1),
    Column(
        "median_days_deep",
        "Mediana dni do zakończenia Bilansu pogłębionego",
        lambda r: r.median_days_deep,
        1,
    ),
    Column("cases_over_limit", "Bilanse ponad 6 miesięcy", lambda r: r.cases_over_limit),
    Column(
        "supervision_hours", "Godziny superwizji i interwizji", lambda r: r.supervision_hours, 1
    ),
    Column("training_hours", "Godziny szkoleń", lambda r: r.training_hours, 1),
    Column("surveys_sent", "Wysłane ankiety o dalszych losach", lambda r: r.surveys_sent),
    Column("surveys_answered", "Wypełnione ankiety", lambda r: r.surveys_answered),
    Column(
        "survey_training_started",
        "Ankiety: szkolenie rozpoczęte lub ukończone",
        lambda r: r.survey_training_started,
    ),
    Column("survey_job_changed", "Ankiety: zmiana pracy", lambda r: r.survey_job_changed),
    Column(
        "mean_usefulness",
        "Ankiety: średnia przydatność planu (1–5)",
        lambda r: r.mean_usefulness,
        1,
    ),
)
_BY_KEY = {c.key: c for c in COLUMNS}
NUMERIC_COLUMNS = tuple(c for c in COLUMNS if c.key != "counsellor_name")
NUMERIC_KEYS = tuple(c.key for c in NUMERIC_COLUMNS)


def _column(metric: str) -> Column:
    if metric not in NUMERIC_KEYS:
        raise ValueError(f"unknown indicator {metric!r}; choose one of {', '.join(NUMERIC_KEYS)}")
    return _BY_KEY[metric]


def _export_rows(rows: Iterable[IndicatorRow]) -> list[list[Cell]]:
    """The counsellors' rows, then the quarter's totals and the mean per counsellor."""
    rows = list(rows)
    extra = [quarter_totals(rows), *filter(None, [quarter_means(rows)])] if rows else []
    return [[c.value(r) for c in COLUMNS] for r in [*rows, *extra]]


def export_decimals() -> list[int | None]:
    """Decimal places of each exported column: the page's, and at least one for a number (the
    mean row's counts have one)."""
    return [None if c.key == "counsellor_name" else max(c.decimals, 1) for c in COLUMNS]


def to_csv(rows: Iterable[IndicatorRow]) -> bytes:
    """The quarter as CSV bytes a Polish Excel opens (:func:`app.exports.to_csv`)."""
    return exports.to_csv(
        [c.header for c in COLUMNS], _export_rows(rows), decimals=export_decimals()
    )


def to_xlsx(rows: Iterable[IndicatorRow], *, sheet_title: str = "Wskaźniki") -> bytes:
    """An XLSX workbook: header row bold and frozen, numbers as numbers, columns sized."""
    return exports.to_xlsx(
        [c.header for c in COLUMNS],
        _export_rows(rows),
        sheet_title=sheet_title,
        decimals=[c.decimals or None for c in COLUMNS],
    )


# --- comparison chart (server-rendered SVG) ------------------------------------------------------

BAR_COLOUR = "#1d4f91"  # 8.6:1 against white
TEXT_COLOUR = "#1a1a1a"  # 17:1 against white
MUTED_COLOUR = "#555555"  # 7.5:1 against white
BACKGROUND = "#ffffff"


def format_number(value: float | int, decimals: int = 0) -> str:
    """Polish number format: decimal comma, non-breaking space between thousands."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_bar_chart_svg(
    rows: Sequence[IndicatorRow],
    metric: str,
    *,
    title: str | None = None,
    width: int = 720,
    id_prefix: str = "wykres",
) -> str:
    """A horizontal bar chart of ``metric`` across counsellors, as an accessible SVG string.

    The SVG is one image for assistive technology (``role="img"``), named by its ``<title>`` and
    described by a ``<desc>`` that lists every value, so nothing is only visual. Labels are real
    text in the generic ``sans-serif`` family (no web fonts). ``id_prefix`` keeps ids unique when
    a page holds several charts.
    """
    column = _column(metric)
    heading = title or column.header
    label_width, value_width, bar_height, gap, top, bottom = 220, 90, 22, 10, 36, 12
    plot_width = max(width - label_width - value_width, 50)
    height = top + len(rows) * (bar_height + gap) + bottom

    values: list[float | None] = []
    for row in rows:
        raw = column.value(row)
        values.append(float(raw) if isinstance(raw, int | float) else None)
    peak = max((v for v in values if v is not None), default=0.0)

    def shown(value: float | None) -> str:
        return "brak danych" if value is None else format_number(value, column.decimals)

    summary = "; ".join(
        f"{row.counsellor_name}: {shown(v)}" for row, v in zip(rows, values, strict=True)
    )
    description = (
        f"Wykres słupkowy: {column.header} dla {len(rows)} doradców. {summary}."
        if rows
        else f"Wykres słupkowy: {column.header}. Brak danych."
    )
    title_id, desc_id = f"{id_prefix}-tytul", f"{id_prefix}-opis"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="sans-serif" font-size="14">',
        f'<title id="{title_id}">{escape(heading)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>',
        f'<text x="0" y="20" font-size="16" font-weight="bold" fill="{TEXT_COLOUR}">'
        f"{escape(heading)}</text>",
    ]
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = top + index * (bar_height + gap)
        middle = y + bar_height / 2
        bar = 0.0 if value is None or peak <= 0 else plot_width * max(value, 0.0) / peak
        parts.append(f'<g data-counsellor-id="{row.counsellor_id}">')
        parts.append(
            f'<text x="{label_width - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{TEXT_COLOUR}">'
            f"{escape(_shorten(row.counsellor_name, 28))}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height}" '
            f'fill="{BAR_COLOUR}" data-value={quoteattr("" if value is None else repr(value))}/>'
        )
        colour = MUTED_COLOUR if value is None else TEXT_COLOUR
        parts.append(
            f'<text x="{label_width + bar + 6:.1f}" y="{middle:.1f}" dominant-baseline="middle" '
            f'fill="{colour}">{escape(shown(value))}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
