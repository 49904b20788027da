"""Hostile input on every form of the case record (issue 14, acceptance point 5).

The unsafe routes are taken from the app's route table (every POST under ``/cases/{code}/record``,
``/record/questions``, ``/api/cases/{code}/tools`` and ``/survey/``), their fields from the forms
the record's pages show (crawled from the record's overview, the question lists and a survey
link). Each form is posted with its fields filled in (a) 100,000 characters, (b) a NUL byte and
control characters, (c) numbers out of any range or not numbers, (d) unknown choices, (e) nothing
at all, (f) path ids that do not exist or do not fit in int64, unknown path words, (g) for an
upload a renamed PNG or HTML file, an empty one and one of 11 MB. None may answer 5xx; a refusal is
a 4xx in Polish; and whatever the answer, nothing the database held before changes (the audit
log aside: reads add lines to it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import AuditEntry
from app.db import Base
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case, User
from app.security import token_hash
from scheduling.aftercare.models import AftercareTask, OutcomeSurvey
from scheduling.aftercare.rules import SURVEY_CONSENT, Step, TaskKind
from scheduling.aftercare.service import add_statement
from scheduling.record.models import QuestionItem
from tests.conftest import COORDINATOR, COUNSELLOR, csrf_from, login
from tests.integration.app.test_access import routes

RECORD_ROUTES = re.compile(
    r"^(/cases/\{code:str\}/record|/record/questions|/api/cases/\{code:str\}/tools|/survey/)"
)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
POLISH = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
SURVEY_TOKEN = "wrogie-dane-ankieta-0123456789abcdef"

LONG = "x" * 100_000
CONTROL = "Ala\x00ma\x01kota\x1b[31m\x7f\x08"
NUMBERS = ("-1", "1e309", "99999999999999999999", "abc")
BAD_IDS = ("0", "99999999", "99999999999999999999")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><script>alert(1)</script>"
BIG = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)


# --- the forms the pages show -----------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, time, choice, checkbox, hidden, file, button
    value: str = ""
    options: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)
    multipart: bool = False


class FormParser(HTMLParser):
    """The POST forms of a page: action, fields, the options of choices, the values shown."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def _add(self, name: str, kind: str, value: str = "") -> Field:
        assert self.form is not None
        found = self.form.fields.setdefault(name, Field(name, kind))
        if value and (not found.value or kind in ("choice", "checkbox")):
            found.options.append(value)
        return found

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = urlsplit(urljoin(self.url, a.get("action") or self.url)).path
            self.form = Form(action, multipart="multipart" in a.get("enctype", ""))
            self.forms.append(self.form)
        if self.form is None or not a.get("name") or a["name"] in ("_csrf_token", "website"):
            return
        name = a["name"]
        if "required" in a and tag in ("input", "select", "textarea"):
            self.form.fields.setdefault(name, Field(name, "text")).required = True
        if tag == "input":
            kind = a.get("type", "text").lower()
            kind = {"radio": "choice", "submit": "button", "email": "text", "tel": "text",
                    "url": "text", "search": "text"}.get(kind, kind)  # fmt: skip
            found = self._add(name, kind, a.get("value", ""))
            if kind not in ("choice", "checkbox", "button") and a.get("value"):
                found.value = a["value"]
            if kind == "choice" and "checked" in a:
                found.value = a.get("value", "")
            if kind == "number" and not found.value:
                found.value = a.get("min") or "1"
        elif tag == "button":
            self._add(name, "button", a.get("value", ""))
        elif tag == "select":
            self.select = self._add(name, "choice")
        elif tag == "option" and self.select is not None and a.get("value"):
            self.select.options.append(a["value"])
            if "selected" in a:
                self.select.value = a["value"]
        elif tag == "textarea":
            self.textarea = self._add(name, "text")

    def handle_data(self, data: str) -> None:
        if self.textarea is not None and data.strip():
            self.textarea.value = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def baseline(form: Form, today: str) -> dict[str, str]:
    """The form as a person would send it: what it shows, the blanks filled plausibly."""
    data: dict[str, str] = {}
    for f in form.fields.values():
        if f.kind == "file":
            continue
        if f.kind == "button":
            data[f.name] = "save" if "save" in f.options else (f.options or [""])[0]
        elif f.kind in ("choice", "checkbox"):
            data[f.name] = f.value or (f.options or ["1"])[0]
        elif f.kind == "date":
            data[f.name] = f.value or today
        elif f.kind == "time":
            data[f.name] = f.value or "10:00"
        else:
            data[f.name] = f.value or ("1" if f.kind == "number" else "Tekst próbny")
    return data


def bodies(form: Form, today: str) -> Iterator[tuple[str, dict[str, str], dict[str, Any] | None]]:
    """(label, fields, files) of every hostile post of one form."""
    base = baseline(form, today)
    if all(f.kind in ("hidden", "button") for f in form.fields.values()):
        return  # a button (remove, move, consent): only its path can be wrong
    texts = [f.name for f in form.fields.values() if f.kind == "text"]
    numbers = [
        f.name for f in form.fields.values()
        if f.kind == "number" or (f.kind == "choice" and f.options and all(
            v.lstrip("-").isdigit() for v in [*f.options, f.value] if v))
    ]  # fmt: skip
    choices = [f.name for f in form.fields.values() if f.kind in ("choice", "checkbox")]
    dates = [f.name for f in form.fields.values() if f.kind in ("date", "time")]
    yield "every field 100,000 characters", dict.fromkeys(base, LONG), None
    if texts:
        yield "text fields 100,000 characters", base | dict.fromkeys(texts, LONG), None
        yield (
            "text fields with NUL and control characters",
            base | dict.fromkeys(texts, CONTROL),
            None,
        )
    yield "every field with NUL and control characters", dict.fromkeys(base, CONTROL), None
    for name in numbers:
        for number in NUMBERS:
            yield f"{name}={number}", base | {name: number}, None
    for name in choices:
        yield f"{name} unknown", base | {name: "nieznana-wartość"}, None
    for name in dates:
        yield f"{name} impossible", base | {name: "2024-02-30"}, None
    yield "nothing at all", {}, None
    if form.multipart:
        for label, filename, data in (
            ("PNG renamed .pdf", "evil.pdf", PNG),
            ("HTML renamed .pdf", "evil.pdf", HTML),
            ("empty file", "pusty.pdf", b""),
            ("11 MB file", "duzy.pdf", BIG),
        ):
            yield label, base, {"file": (filename, data, "application/pdf")}


def pattern(path: str) -> re.Pattern[str]:
    return re.compile(
        "^" + re.sub(r"\\\{[a-z_]+:int\\\}", r"\\d+", re.sub(r"\\\{[a-z_]+:str\\\}", "[^/]+", re.escape(path))) + "$"
    )  # fmt: skip


def bad_paths(route: str, url: str) -> Iterator[str]:
    """The url with each path id replaced by one that does not exist or overflows int64, and
    each path word by one that means nothing."""
    template = route.strip("/").split("/")
    parts = url.strip("/").split("/")
    for i, piece in enumerate(template):
        if piece.endswith(":int}"):
            for bad in BAD_IDS:
                yield "/" + "/".join([*parts[:i], bad, *parts[i + 1 :]])
        elif piece.endswith(":str}"):
            yield "/" + "/".join([*parts[:i], "nieznane", *parts[i + 1 :]])


# --- the state that must not change -----------------------------------------------------------


def record_tables() -> list[Table]:
    """The tables of a case's record: those with a ``case_id`` (the audit log aside: reads add
    lines to it), the rows hanging from them, the question lists, the files, consents."""
    tables = Base.metadata.sorted_tables
    found = {t for t in tables if "case_id" in t.c} - {AuditEntry.__table__}
    found |= {t for t in tables if t.name in ("question_item", "uploaded_file", "consent")}
    for table in tables:  # parents come first: a child of a child is found too
        if any(fk.column.table in found for fk in table.foreign_keys):
            found.add(table)
    return sorted(found - {AuditEntry.__table__}, key=lambda t: t.name)


async def snapshot(db: AsyncSession) -> dict[str, str]:
    """A digest of every row of the record's tables."""
    digests = {}
    for table in record_tables():
        rows = (await db.execute(select(table).order_by(*table.primary_key.columns))).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    await db.commit()
    return digests


# --- the case, its pages, the posts -----------------------------------------------------------


async def demo_case(db: AsyncSession) -> tuple[Case, str]:
    """A demo completed deep case (its whole record filled by the demo) and its counsellor's
    e-mail, with an open follow-up task, and a retired question in the lists."""
    found = (
        await db.execute(
            select(Case, User.email)
            .join(User, User.id == Case.counsellor_id)
            .where(Case.variant == CaseVariant.deep, Case.status == CaseStatus.completed)
            .order_by(User.email != COUNSELLOR, Case.code)
        )
    ).first()
    assert found is not None
    case, email = found
    today = datetime.now(UTC).date()
    db.add(AftercareTask(case_id=case.id, kind=TaskKind.no_voucher, due_on=today))
    question = await db.scalar(select(QuestionItem).order_by(QuestionItem.id.desc()))
    assert question is not None
    question.retired_at = datetime.now(UTC)
    await db.commit()
    return case, email


async def open_survey(db: AsyncSession, case: Case) -> None:
    """The participant's consent to the survey and an open link to it."""
    now = datetime.now(UTC)
    await add_statement(db, case.participant_id, SURVEY_CONSENT, now=now)
    db.add(OutcomeSurvey(case_id=case.id, step=Step.survey_12, token_hash=token_hash(SURVEY_TOKEN),
                         sent_at=now, expires_at=now + timedelta(days=30)))  # fmt: skip
    await db.commit()


async def crawl(client: AsyncTestClient[Litestar], starts: list[str], inside: str) -> list[Form]:
    """The POST forms of the pages reachable from ``starts`` by links under ``inside`` (one
    page per shape of link: ``/rows/card_school/12/edit`` stands for every row's)."""
    seen: set[str] = set()
    todo = list(starts)
    forms: list[Form] = []
    while todo:
        url = todo.pop()
        shape = re.sub(r"/\d+(?=/|$)", "/N", url)
        if shape in seen:
            continue
        seen.add(shape)
        page = await client.get(url)
        assert page.status_code == 200, (url, page.status_code)
        parser = FormParser(str(page.url))
        parser.feed(page.text)
        forms += parser.forms
        for link in parser.links:
            path = urlsplit(link).path
            if path.startswith(inside) and not re.search(r"/(file|pdf|print)$", path):
                todo.append(path)
    return forms


@dataclass
class Target:
    method: str
    route: str
    form: Form


def targets(
    app: Litestar, forms: list[Form], api_forms: dict[str, Form], code: str
) -> list[Target]:
    """Every unsafe record route with each distinct form that posts to it; the tools' API
    posts the fields of the tools' page forms as JSON. A route no page shows a form for at
    the moment (consent given: the consent button is hidden) is posted without fields, if it
    needs no id."""
    found: list[Target] = []
    missing = []
    for method, route, _ in routes(app):
        if method not in UNSAFE or not RECORD_ROUTES.match(route):
            continue
        matched = [f for f in forms if pattern(route).match(f.action)]
        if route.startswith("/api/"):
            matched = [Form(f.action.replace("/cases/", "/api/cases/").replace("/record/tools", "/tools"), f.fields)
                       for f in api_forms.values()]  # fmt: skip
        shapes: set[tuple[str, ...]] = set()
        for form in matched:
            shape = (re.sub(r"/\d+", "/N", form.action), *sorted(form.fields))
            if shape not in shapes:
                shapes.add(shape)
                found.append(Target(method, route, form))
        if not matched and ":int}" not in route:
            url = route.replace("{code:str}", code).replace("{token:str}", SURVEY_TOKEN)
            matched = [Form(url)]
        if not matched:
            missing.append(f"{method} {route}")
    assert missing == [], "no page shows a form for these routes"
    return found


def is_polish(body: str) -> bool:
    return (
        bool(POLISH.search(body))
        and "Internal Server Error" not in body
        and "Traceback" not in body
    )


async def hostile_posts(
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    target: Target,
    today: str,
    *,
    only: tuple[str, ...],
) -> tuple[int, list[str]]:
    """Post every hostile body of one target; the problems found."""
    problems = []
    count = 0
    before = await snapshot(db)
    may_clear = not any(f.required for f in target.form.fields.values())
    posts: list[tuple[str, str, dict[str, str], dict[str, Any] | None]] = [
        (label, target.form.action, data, files)
        for label, data, files in bodies(target.form, today)
    ]
    posts += [("bad path", url, baseline(target.form, today), None)
              for url in bad_paths(target.route, target.form.action)]  # fmt: skip
    for label, url, data, files in posts:
        if only and not any(word in label for word in only):
            continue
        count += 1
        if url.startswith("/api/"):
            response = await client.post(
                url, json=data, headers={"x-csrftoken": csrf_from(client)}, follow_redirects=False
            )
        else:
            response = await client.post(
                url, data={**data, "_csrf_token": csrf_from(client)}, files=files,
                follow_redirects=False,
            )  # fmt: skip
        where = f"{target.method} {url} [{label}] -> {response.status_code}"
        if response.status_code >= 500:
            problems.append(where + " " + response.text[:200])
            continue
        if 400 <= response.status_code < 500 and not is_polish(response.text):
            problems.append(where + " not in Polish: " + response.text[:200])
        after = await snapshot(db)
        if label == "nothing at all" and may_clear and response.status_code == 303:
            before = after  # a form of optional fields only, sent blank: cleared, as asked
        elif after != before:
            changed = sorted(k for k in after if after[k] != before[k])
            problems.append(f"{where} changed {changed}")
            before = after
    return count, problems


async def walk(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    db: AsyncSession,
    *,
    only: tuple[str, ...] = (),
) -> list[str]:
    case, counsellor = await demo_case(db)
    today = datetime.now(UTC).date().isoformat()
    await login(client, COORDINATOR)
    question_forms = await crawl(client, ["/record/questions"], "/record/questions")
    await login(client, counsellor)
    record = f"/cases/{case.code}/record"
    forms = await crawl(client, [record + "/"], record)
    await open_survey(db, case)
    forms += await crawl(client, [record + "/vouchers"], record + "/vouchers")
    survey = await crawl(
        client, [f"/survey/{SURVEY_TOKEN}", f"/survey/{SURVEY_TOKEN}/withdraw"], "/survey/x"
    )
    api_forms = {f.action: f for f in forms if re.search(r"/record/tools/[^/]+$", f.action)}
    found = targets(app, forms + question_forms + survey, api_forms, case.code)
    found.sort(key=lambda t: t.route.startswith("/record/questions"))
    problems: list[str] = []
    total = 0
    for target in found:
        if target.route.startswith("/record/questions") and total >= 0:
            await login(client, COORDINATOR)
            total = -total - 1  # logged in once
        count, seen = await hostile_posts(client, db, target, today, only=only)
        total += count if total >= 0 else -count
        problems += seen
    print(f"{len(found)} forms, {abs(total)} hostile posts")
    return problems


async def test_no_hostile_input_on_a_record_form_breaks_it_or_loses_anything(
    app: Litestar, client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    assert await walk(app, client, db) == []


@pytest.mark.parametrize(
    "engine_name", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
async def test_nul_bytes_and_numbers_past_int64_are_refused_on_postgresql(
    app: Litestar, client: AsyncTestClient[Litestar], db: AsyncSession
) -> None:
    """PostgreSQL refuses NUL in text and numbers past BIGINT where SQLite behaves otherwise:
    the classic 500s, refused before the database on both engines."""
    assert await walk(app, client, db, only=("NUL", "bad path", "99999999999999999999")) == []
