"""The staff's "Bezpieczeństwo konta" page (personal API tokens, the second factor) and the code
step of signing in.

- Tokens are made, listed and revoked through the same service as ``bilans users token |
  tokens | revoke-token`` (:mod:`app.records.accounts`); a new token is shown once.
- The second factor (:mod:`app.records.second_factor`): set up with a QR code drawn as inline
  SVG and the secret in groups, turned on only by a first right code, off by a code or the
  password. Both change the credentials, so this session is signed in again under them.
- In production the coordinator must have it: signed in without it, she is kept on the setup
  page (:data:`app.auth.SETUP_OPEN`) until it is on.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from app.auth import (
    Role,
    any_staff,
    await_second_factor,
    current_user,
    end_session,
    pending_login,
    start_session,
)
from app.db import get_or_404
from app.deps import DbSession
from app.errors import Invalid, NotFound, TooManyAttempts
from app.forms import form_data
from app.i18n import gettext as _
from app.pages import form_page, me, render_page
from app.records import accounts, second_factor, totp
from app.records.models import User

TOKEN_DAYS = {30: "30 dni", 90: "90 dni", 366: "rok"}


def totp_required(request: Request[Any, Any, State], role: Role) -> bool:
    """The coordinator must sign in with a code in production (issue 17)."""
    return request.app.state["settings"].env == "production" and role is Role.coordinator


async def after_password(
    request: Request[Any, Any, State], db: DbSession, user: User, next_: str
) -> Redirect:
    """Where a right password leads: the code step, the required setup, or the page asked for."""
    if await accounts.second_factor_on(db, user.id):
        await_second_factor(request, user.id, user.credentials_version, next_, time.time())
        return Redirect("/login/code", status_code=303)
    required = totp_required(request, user.role)
    start_session(request, user.id, user.credentials_version, setup_required=required)
    return Redirect("/account/totp" if required else next_, status_code=303)


def _client(request: Request[Any, Any, State]) -> str:
    return request.client.host if request.client else ""


# --- the code step of signing in ---------------------------------------------------------


@get("/login/code", include_in_schema=False)
async def code_page(request: Request[Any, Any, State]) -> Template | Redirect:
    if pending_login(request, time.time()) is None:
        return Redirect("/login", status_code=303)
    return render_page(request, "account/login_code.html", message=None, errors={})


@post("/login/code", include_in_schema=False)
async def code_step(
    request: Request[Any, Any, State], db_session: DbSession
) -> Template | Redirect:
    pending = pending_login(request, time.time())
    if pending is None:
        return Redirect("/login", status_code=303)
    raw = await form_data(request)
    code = str(raw.get("code") or "")[:40]
    user = await get_or_404(db_session, User, pending.user_id, _("pracownik"))
    user_id, version, active = user.id, user.credentials_version, user.active
    try:
        ok = bool(code) and await second_factor.verify_login_code(
            db_session, user, code, client=_client(request)
        )
    except TooManyAttempts as exc:
        return render_page(
            request, "account/login_code.html", status_code=429, message=exc.message, errors={}
        )
    if not ok or not active or version != pending.version:
        problem = _(
            "Kod się nie zgadza albo był już użyty. Wpisz kod, który aplikacja pokazuje teraz."
        )
        return render_page(
            request, "account/login_code.html", status_code=422, message=None,
            errors={"code": problem},
        )  # fmt: skip
    start_session(request, user_id, version)
    return Redirect(pending.next, status_code=303)


# --- the page ----------------------------------------------------------------------------


async def _page(
    request: Request[Any, Any, State], db: DbSession, *, status_code: int = 200, **extra: Any
) -> Template:
    user = me(request)
    now = datetime.now(UTC)
    rows = await accounts.tokens_of(db, user.email)
    factor = await second_factor.totp_of(db, user.id)
    context: dict[str, Any] = {
        "tokens": [(row, accounts.token_state(row, now)) for row in rows],
        "totp_on": factor is not None and factor.enabled_at is not None,
        "totp_since": factor.enabled_at if factor else None,
        "recovery_left": await second_factor.recovery_codes_left(db, user.id),
        "totp_required": totp_required(request, user.role),
        "token_days": TOKEN_DAYS,
        "new_token": None,
        "message": None,
        "notice": None,
        "errors": {},
        "values": {},
    }
    context.update(extra)
    return render_page(request, "account/security.html", status_code=status_code, **context)


@get("/account/security", guards=[any_staff], include_in_schema=False)
async def security_page(
    request: Request[Any, Any, State],
    db_session: DbSession,
    done: Annotated[str | None, QueryParameter()] = None,
) -> Template:
    notices = {
        "revoked": _("Token unieważniony: skrypty, które go używały, dostaną odmowę (401)."),
        "totp-off": _("Logowanie kodem z aplikacji jest wyłączone."),
    }
    return await _page(request, db_session, notice=notices.get(done or ""))


@post("/account/security/tokens", guards=[any_staff], include_in_schema=False)
async def create_token(request: Request[Any, Any, State], db_session: DbSession) -> Template:
    raw = await form_data(request)
    label = str(raw.get("label") or "")
    days = raw.get("days")
    errors = {}
    if not label or len(label) > 100:
        errors["label"] = _("Podaj nazwę tokenu (do 100 znaków), np. nazwę skryptu.")
    if days not in {str(d) for d in TOKEN_DAYS}:
        errors["days"] = _("Wybierz, jak długo token ma działać.")
    if errors:
        exc = Invalid(_("Popraw zaznaczone pola."), errors=errors)
        return await _page(
            request, db_session, status_code=422, errors=exc.errors, message=exc.message, values=raw
        )
    user = await get_or_404(db_session, User, me(request).id, _("pracownik"))
    token = await accounts.issue_api_token(
        db_session, user, label, lifetime=timedelta(days=int(str(days)))
    )
    return await _page(request, db_session, new_token=token, new_label=label)


@get("/account/security/tokens/{token_id:int}/revoke", guards=[any_staff], include_in_schema=False)
async def revoke_page(
    request: Request[Any, Any, State], db_session: DbSession, token_id: FromPath[int]
) -> Template:
    rows = await accounts.tokens_of(db_session, me(request).email)
    row = next((r for r in rows if r.id == token_id and r.revoked_at is None), None)
    if row is None:
        raise NotFound(_("Nie ma takiego ważnego tokenu."))
    return render_page(request, "account/revoke.html", token=row)


@post("/account/security/tokens/{token_id:int}/revoke", guards=[any_staff], include_in_schema=False)
async def revoke(
    request: Request[Any, Any, State], db_session: DbSession, token_id: FromPath[int]
) -> Redirect:
    await accounts.revoke_token(db_session, me(request).email, token_id)
    return Redirect("/account/security?done=revoked", status_code=303)


# --- the second factor -------------------------------------------------------------------


async def _setup(
    request: Request[Any, Any, State], db: DbSession, *, status_code: int = 200, **extra: Any
) -> Template | Redirect:
    user = me(request)
    if await accounts.second_factor_on(db, user.id):
        return Redirect("/account/security", status_code=303)
    row = await second_factor.start_setup(db, user.id)
    context: dict[str, Any] = {
        "qr": totp.qr_svg(row.secret, user.email, _("Kod QR do dodania konta w aplikacji")),
        "secret_groups": totp.grouped(row.secret),
        "required": totp_required(request, user.role),
        "errors": {},
        "message": None,
    }
    context.update(extra)
    return render_page(request, "account/totp_setup.html", status_code=status_code, **context)


@get("/account/totp", guards=[any_staff], include_in_schema=False)
async def totp_page(
    request: Request[Any, Any, State], db_session: DbSession
) -> Template | Redirect:
    return await _setup(request, db_session)


@post("/account/totp", guards=[any_staff], include_in_schema=False)
async def totp_confirm(
    request: Request[Any, Any, State], db_session: DbSession
) -> Template | Redirect:
    user = me(request)
    raw = await form_data(request)
    try:
        codes = await second_factor.confirm(
            db_session, user.id, str(raw.get("code") or ""), datetime.now(UTC)
        )
    except Invalid as exc:
        return await _setup(
            request, db_session, status_code=422, errors=exc.errors, message=exc.message
        )
    fresh = await get_or_404(db_session, User, user.id, _("pracownik"))
    start_session(request, user.id, fresh.credentials_version)  # this session goes on
    return render_page(request, "account/recovery_codes.html", codes=codes, renewed=False)


@post("/account/totp/recovery", guards=[any_staff], include_in_schema=False)
async def renew_recovery(request: Request[Any, Any, State], db_session: DbSession) -> Template:
    codes = await second_factor.renew_recovery_codes(db_session, me(request).id, datetime.now(UTC))
    return render_page(request, "account/recovery_codes.html", codes=codes, renewed=True)


@get("/account/totp/off", guards=[any_staff], include_in_schema=False)
async def totp_off_page(request: Request[Any, Any, State]) -> Template:
    return render_page(request, "account/totp_off.html", errors={}, message=None)


@post("/account/totp/off", guards=[any_staff], include_in_schema=False)
async def totp_off(request: Request[Any, Any, State], db_session: DbSession) -> Template | Redirect:
    user = me(request)
    raw = await form_data(request)
    try:
        await second_factor.disable(
            db_session, user.id, str(raw.get("proof") or "")[:200], datetime.now(UTC),
            required=totp_required(request, user.role),
        )  # fmt: skip
    except Invalid as exc:
        return form_page(request, "account/totp_off.html", exc, {})
    fresh = await get_or_404(db_session, User, user.id, _("pracownik"))
    start_session(request, user.id, fresh.credentials_version)
    return Redirect("/account/security?done=totp-off", status_code=303)


@post("/login/code/cancel", include_in_schema=False)
async def cancel_code(request: Request[Any, Any, State]) -> Redirect:
    if current_user(request) is None:
        end_session(request)
    return Redirect("/login", status_code=303)


HANDLERS: list[Any] = [
    code_page, code_step, cancel_code, security_page, create_token, revoke_page, revoke,
    totp_page, totp_confirm, renew_recovery, totp_off_page, totp_off,
]  # fmt: skip
