"""Form input: pydantic models validated from form posts, with field errors in Polish.

Routes re-render the form with these errors (422) instead of letting a 400 escape, so a person
never loses what they typed.
"""

from __future__ import annotations

import re
import types
from datetime import date
from typing import Any, NamedTuple, TypeVar, Union, get_args, get_origin

from litestar import Request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.dates_typed import DATE_EXAMPLE, typed_date_or_same
from app.errors import Invalid, NotFound
from app.i18n import gettext as _

M = TypeVar("M", bound=BaseModel)

MAX_FIELD = 2000
# The largest whole number a database column (BIGINT) holds; past it SQLite and PostgreSQL fail.
MAX_INT = 2**63 - 1
# Control characters no one types (tab and line breaks allowed); PostgreSQL refuses NUL in text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FieldText(NamedTuple):
    """A form field's label and what its error says, specific to the field ("Wpisz imię.")."""

    label: str
    missing: str = ""  # when left blank
    invalid: str = ""  # when filled in a way the field cannot take (not a rule's own message)


class FieldErrors(dict[str, str]):
    """A form's field errors in the order of its fields, each field's label at hand
    (``field_labels``), so the error summary can say which field each message is about."""

    def __init__(self, errors: dict[str, str], texts: dict[str, FieldText] | None = None) -> None:
        texts = texts or {}
        order = ["__all__", *texts]
        ranked = sorted(errors, key=lambda k: order.index(k) if k in order else len(order))
        super().__init__((k, errors[k]) for k in ranked)
        self.field_labels = {k: t.label for k, t in texts.items()}


def form_texts(model: type[BaseModel]) -> dict[str, FieldText]:
    """A form model's field labels in form order: its ``form_fields`` (a ClassVar of
    :class:`FieldText`) when it has one, else the ``title`` of each field that has one."""
    declared = getattr(model, "form_fields", None)
    if declared:
        return dict(declared)
    return {n: FieldText(f.title) for n, f in model.model_fields.items() if f.title}


def _date_fields(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` that hold a date (``date`` or ``date | None``)."""
    names = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        options = get_args(kind) if get_origin(kind) in (Union, types.UnionType) else (kind,)
        if any(o is date for o in options):
            names.append(name)
    return names


def polish_message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    messages = {
        "missing": _("To pole jest wymagane."),
        "string_too_short": _("To pole jest wymagane.")
        if ctx.get("min_length") == 1
        else _("Wpisz co najmniej %(n)s znaków.") % {"n": ctx.get("min_length")},
        "string_too_long": _("Wpisz najwyżej %(n)s znaków.") % {"n": ctx.get("max_length")},
        "int_parsing": _("Podaj liczbę całkowitą."),
        "int_type": _("Podaj liczbę całkowitą."),
        "int_from_float": _("Podaj liczbę całkowitą."),
        "float_parsing": _("Podaj liczbę (np. 49,95 lub 49.95)."),
        "float_type": _("Podaj liczbę."),
        "bool_parsing": _("Wybierz tak albo nie."),
        "date_parsing": _write_date(),
        "date_from_datetime_parsing": _write_date(),
        "date_type": _write_date(),
        "time_parsing": _("Podaj godzinę w formacie GG:MM."),
        "time_type": _("Podaj godzinę w formacie GG:MM."),
        "enum": _("Wybierz jedną z podanych możliwości."),
        "literal_error": _("Wybierz jedną z podanych możliwości."),
        "greater_than_equal": _("Podaj wartość nie mniejszą niż %(n)s.") % {"n": ctx.get("ge")},
        "less_than_equal": _("Podaj wartość nie większą niż %(n)s.") % {"n": ctx.get("le")},
        "greater_than": _("Podaj wartość większą niż %(n)s.") % {"n": ctx.get("gt")},
        "less_than": _("Podaj wartość mniejszą niż %(n)s.") % {"n": ctx.get("lt")},
        "value_error": str(ctx.get("error", "")).removeprefix("Value error, "),
        "assertion_error": str(ctx.get("error", "")),
    }
    if messages.get(kind):
        return messages[kind]
    if "email" in str(error.get("msg", "")).lower():
        return _("Podaj poprawny adres e-mail.")
    return _("Niepoprawna wartość.")


def _write_date() -> str:
    return _("Wpisz datę: dzień, miesiąc i rok, np. %(example)s.") % {"example": DATE_EXAMPLE}


_BLANK = ("missing", "string_too_short", "too_short")
_OWN_MESSAGE = ("value_error", "assertion_error")  # a validator's message says it best


def field_errors(exc: ValidationError, texts: dict[str, FieldText] | None = None) -> dict[str, str]:
    """Polish messages per field; a blank field's message is the field's own ``missing`` text
    when ``texts`` has one ("Wpisz imię."), not a generic one."""
    texts = texts or {}
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__all__"
        own = texts.get(field)
        blank = error["type"] == "missing" or (
            error["type"] in _BLANK and error.get("input") in ("", [], ())
        )
        message = polish_message(error)
        if own and own.missing and blank:
            message = own.missing
        elif own and own.invalid and not blank and error["type"] not in _OWN_MESSAGE:
            message = own.invalid
        errors.setdefault(field, message)
    return FieldErrors(errors, texts) if texts else errors


def validate(model: type[M], raw: dict[str, Any]) -> M:
    """Validate ``raw`` into ``model`` or raise :class:`Invalid` with Polish field errors (in
    form order, with the fields' labels). Dates are read as people type them (31.05.1980)."""
    texts = form_texts(model)
    raw = raw | {k: typed_date_or_same(raw[k]) for k in _date_fields(model) if k in raw}
    too_long = {
        k: _("Wpisz najwyżej %(n)s znaków.") % {"n": MAX_FIELD}
        for k, v in raw.items()
        if isinstance(v, str) and len(v) > MAX_FIELD
    }
    if too_long:
        raise Invalid(_("Popraw zaznaczone pola."), errors=FieldErrors(too_long, texts))
    try:
        valid = model.model_validate(raw)
    except ValidationError as exc:
        raise Invalid(
            _("Popraw zaznaczone pola."), errors=FieldErrors(field_errors(exc, texts), texts)
        ) from None
    too_big = {
        k: _("Podaj wartość nie większą niż %(n)s.") % {"n": MAX_INT}
        for k, v in valid
        if any(abs(n) > MAX_INT for n in (v if isinstance(v, list | tuple | set) else [v])
               if isinstance(n, int))
    }  # fmt: skip
    if too_big:
        raise Invalid(_("Popraw zaznaczone pola."), errors=FieldErrors(too_big, texts))
    return valid


async def ids_fit(request: Request[Any, Any, Any]) -> None:
    """Every route's ``before_request``: a path id past what the database holds names nothing
    (404), instead of failing in the database."""
    for value in request.path_params.values():
        if isinstance(value, int) and abs(value) > MAX_INT:
            raise NotFound(_("Nie znaleziono."))


async def form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form as a dict (repeated keys become lists); blank fields are left out,
    so a required one is reported as missing and an optional one takes its default."""
    try:
        form = await request.form()
    except Exception:
        raise Invalid(_("Nie udało się odczytać formularza. Spróbuj ponownie.")) from None
    data: dict[str, Any] = {}
    control = {
        key: _("Usuń z tego pola znaki sterujące (np. znak NUL).")
        for key in form
        if any(isinstance(v, str) and CONTROL.search(v) for v in form.getall(key))
    }
    for key in form:
        if key in ("_csrf_token", "website"):
            continue
        values = [v for v in form.getall(key) if isinstance(v, str)]
        cleaned = [CONTROL.sub("", v).strip() if control else v.strip() for v in values]
        value: Any = cleaned if len(cleaned) > 1 else (cleaned[0] if cleaned else None)
        if value not in ("", None):
            data[key] = value
    if control:
        # Shown alone by a page that reads the form before it can show it again; a page that
        # reads it inside its refusal path (app.pages.form_page) shows each field's error.
        raise TypedInvalid(
            _(
                "Formularz zawiera znaki sterujące (np. znak NUL), których nie da się zapisać. "
                "Nic nie zostało zapisane: wróć do formularza, usuń je i wyślij go ponownie."
            ),
            errors=control,
            values=data,
        )
    return data


class TypedInvalid(Invalid):
    """A form refused as it was read (control characters): ``values`` hold what was typed,
    those characters removed, so a page can show the form again with nothing lost."""

    def __init__(self, message: str, *, errors: dict[str, str], values: dict[str, Any]) -> None:
        super().__init__(message, errors=errors)
        self.values = values
