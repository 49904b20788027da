"""What an area hands the application: one :class:`Area` value, listed once in :mod:`app.areas`.

An area (the records, scheduling, supervision, and the shell's own system routes and jobs)
exposes everything the app, the job runners and the command line need from it as plain values:
route handlers, rate limits, jobs and periodic jobs, a demo loader, command-line groups, the
tables it owns, labels for templates, and panels it adds to other areas' pages. Nothing
registers itself by being imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import click
from litestar.middleware.base import DefineMiddleware
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import CurrentUser
from app.db import Base
from app.settings import Settings

JobFunc = Callable[..., Awaitable[Any]]
DemoLoader = Callable[[AsyncSession, datetime], Awaitable[None]]
RateLimits = Callable[[Settings], Sequence[DefineMiddleware]]
PanelPage = Literal["me", "case", "record"]
PersonalExport = Callable[[AsyncSession, Sequence[int]], Awaitable[Mapping[str, Sequence[Any]]]]
PersonalErase = Callable[[AsyncSession, Sequence[int]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Periodic:
    """A job run every ``every`` (arq cron in production, a timer in embedded mode)."""

    func: JobFunc
    every: timedelta

    @property
    def name(self) -> str:
        return self.func.__name__


@dataclass(frozen=True, slots=True)
class PanelRequest:
    """What a panel is asked for: the page's viewer, its subject (the case on a case page), now,
    and every page's panels (``panels``), for a panel that gathers another page's panels (the
    case page's "Dokumentacja" gathers the record's sections)."""

    user: CurrentUser
    now: datetime
    subject: Any = None
    panels: Mapping[str, Sequence[Panel]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Panel:
    """A section an area adds to a page of another area (``page``: the staff home "me", or a
    case page), so the page's owner need not read the area that knows the section's content.
    ``load`` returns the section's data, or None to leave it out; ``template`` renders it
    with ``panel.data``.

    Page "record" is the case record's overview: each part of the record (the card and
    interviews, the tool results, the portfolio, the documents, the vouchers) reports the state
    of its own sections as ``{"sections": [RecordSection, ...]}``, and the overview shows them
    in one table in the record's order (``template`` is then unused, "")."""

    page: PanelPage
    template: str
    load: Callable[[AsyncSession, PanelRequest], Awaitable[Mapping[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class RecordSection:
    """What one section of a case record holds, as its part reports it to the overview: the
    section's key (its address under ``/cases/{code}/record/``), whether it holds anything, how
    many entries, and a short state in words when a count says too little (a document's
    version)."""

    key: str
    filled: bool
    count: int = 0
    state: str = ""


@dataclass(frozen=True, slots=True)
class PersonalData:
    """An area's part of a participant's personal data (GDPR), kept in its own tables and
    reached through the participant's cases (``case_ids``), so the privacy service (which may
    not read the area) exports and erases it with the rest, in the same transaction:

    - ``export`` returns the part as JSON-ready rows by section (``{"tool_result": [...]}``);
      ``titles`` names the sections in Polish for the PDF;
    - ``erase`` blanks the part's personal texts (added to the caller's transaction, never
      committed), keeping the rows, dates and choices that indicators count.

    A case that moves to another participant (a merge of duplicates) takes the part with it,
    as every row is keyed by the case."""

    export: PersonalExport
    erase: PersonalErase
    titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShownPanel:
    template: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Area:
    name: str
    handlers: Sequence[ControllerRouterHandler] = ()
    rate_limits: RateLimits | None = None
    jobs: Sequence[JobFunc] = ()
    periodic: Sequence[Periodic] = ()
    demo: DemoLoader | None = None
    commands: Sequence[click.Command] = ()
    models: Sequence[type[Base]] = ()
    labels: Mapping[str, Any] = field(default_factory=dict)
    panels: Sequence[Panel] = ()
    personal_data: PersonalData | None = None


def job_functions(areas: Iterable[Area]) -> dict[str, JobFunc]:
    """Every job by name (periodic ones included); two jobs of one name are a mistake."""
    found: dict[str, JobFunc] = {}
    for area in areas:
        for func in (*area.jobs, *(p.func for p in area.periodic)):
            if found.get(func.__name__, func) is not func:
                raise ValueError(f"two jobs are named {func.__name__}")
            found[func.__name__] = func
    return found


def periodic_jobs(areas: Iterable[Area]) -> list[Periodic]:
    return [p for area in areas for p in area.periodic]


def template_labels(areas: Iterable[Area]) -> dict[str, Any]:
    """The ``labels`` templates see: every area's, under keys no two areas share."""
    labels: dict[str, Any] = {}
    for area in areas:
        for key, value in area.labels.items():
            if key in labels:
                raise ValueError(f"two areas define the label group {key!r}")
            labels[key] = value
    return labels


def personal_data_parts(areas: Iterable[Area]) -> dict[str, PersonalData]:
    """Every area's part of a participant's data, by area name (the export's key)."""
    return {area.name: area.personal_data for area in areas if area.personal_data is not None}


def panels_by_page(areas: Iterable[Area]) -> dict[str, tuple[Panel, ...]]:
    pages: dict[str, list[Panel]] = {}
    for area in areas:
        for panel in area.panels:
            pages.setdefault(panel.page, []).append(panel)
    return {page: tuple(found) for page, found in pages.items()}


async def show_panels(
    panels: Sequence[Panel], db: AsyncSession, request: PanelRequest
) -> list[ShownPanel]:
    """The panels of a page that have something to show, in the areas' order."""
    shown = []
    for panel in panels:
        data = await panel.load(db, request)
        if data is not None:
            shown.append(ShownPanel(panel.template, data))
    return shown
