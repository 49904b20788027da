"""Indicator pages and API for the head of unit and the coordinator: one quarter's indicators
per counsellor with a chart, the CSV and XLSX exports, and ``/api/supervision/indicators``."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Template
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app import exports
from app.api_docs import problems
from app.auth import Role, roles_required
from app.deps import DbSession
from app.errors import Invalid
from app.pages import render_page, today
from supervision.indicators import indicators, service
from supervision.indicators.indicators import IndicatorRow, Quarter

head_or_coordinator = roles_required(Role.coordinator, Role.head)
QUARTERS_OFFERED = 12  # the page's choice: this quarter and the eleven before it


def _quarter(text: str | None, day: date) -> Quarter:
    if not text:
        return Quarter.containing(day)
    try:
        return Quarter.parse(text[:16])
    except ValueError as exc:
        raise Invalid(str(exc), errors={"quarter": str(exc)}) from None


async def _rows(
    db: AsyncSession, quarter: str | None, day: date
) -> tuple[Quarter, list[IndicatorRow]]:
    """The asked quarter (the one of ``day`` by default) and its rows, counted up to ``day``."""
    chosen = _quarter(quarter, day)
    return chosen, await service.quarter_indicators(db, chosen, as_of=day)


def _recent_quarters(day: date) -> list[Quarter]:
    choices = [Quarter.containing(day)]
    for _ in range(QUARTERS_OFFERED - 1):
        choices.append(choices[-1].previous())
    return choices


def _download(body: bytes, media_type: str, filename: str) -> Response[bytes]:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


class IndicatorPages(Controller):
    path = "/supervision"
    include_in_schema = False

    @get("/indicators", guards=[head_or_coordinator])
    async def indicators_page(
        self,
        request: Request[Any, Any, State],
        db_session: DbSession,
        quarter: FromQuery[str | None] = None,
        metric: FromQuery[str | None] = None,
    ) -> Template:
        day = today()
        chosen, rows = await _rows(db_session, quarter, day)
        key = metric if metric in indicators.NUMERIC_KEYS else "participants_supported"
        return render_page(
            request,
            "supervision/indicators.html",
            block="indicator_report",
            rows=rows,
            totals=indicators.quarter_totals(rows),
            means=indicators.quarter_means(rows),
            deep_share_expected=indicators.DEEP_SHARE_EXPECTED_PCT,
            quarter=chosen,
            quarters=_recent_quarters(day),
            metric=key,
            metrics=[(c.key, c.header) for c in indicators.NUMERIC_COLUMNS],
            columns=indicators.COLUMNS,
            chart=indicators.render_bar_chart_svg(rows, key),
        )

    @get("/indicators.csv", guards=[head_or_coordinator])
    async def indicators_csv(
        self, db_session: DbSession, quarter: FromQuery[str | None] = None
    ) -> Response[bytes]:
        chosen, rows = await _rows(db_session, quarter, today())
        return _download(
            indicators.to_csv(rows),
            exports.CSV_MEDIA_TYPE,
            f"wskazniki-{chosen}.csv",
        )

    @get("/indicators.xlsx", guards=[head_or_coordinator])
    async def indicators_xlsx(
        self, db_session: DbSession, quarter: FromQuery[str | None] = None
    ) -> Response[bytes]:
        chosen, rows = await _rows(db_session, quarter, today())
        return _download(
            indicators.to_xlsx(rows, sheet_title=f"Wskaźniki {chosen}"),
            exports.XLSX_MEDIA_TYPE,
            f"wskazniki-{chosen}.xlsx",
        )


class IndicatorOut(BaseModel):
    counsellor_id: int
    counsellor_name: str
    # one JSON number type (a count is a whole number): ``int | float`` would be documented as
    # oneOf integer/number, which every whole number matches twice
    values: dict[str, float | None]

    @classmethod
    def of(cls, row: IndicatorRow) -> IndicatorOut:
        return cls(
            counsellor_id=row.counsellor_id,
            counsellor_name=row.counsellor_name,
            values={c.key: c.value(row) for c in indicators.NUMERIC_COLUMNS},
        )


class IndicatorApi(Controller):
    path = "/api/supervision"
    tags = ["supervision"]

    @get(
        "/indicators",
        guards=[head_or_coordinator],
        summary="Quarterly indicators per counsellor",
        responses=problems(401, 403, 422),
    )
    async def indicators(
        self, db_session: DbSession, quarter: FromQuery[str | None] = None
    ) -> list[IndicatorOut]:
        _, rows = await _rows(db_session, quarter, today())
        return [IndicatorOut.of(r) for r in rows]
