"""Signing in and out, the landing page (public) that sends staff to their start page, and the
start page itself."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from app.auth import current_user, end_session, login_required
from app.db import get_or_404
from app.deps import DbSession
from app.errors import TooManyAttempts
from app.forms import form_data
from app.i18n import gettext as _
from app.pages import me, page_panels, render_page, today
from app.records import service
from app.records.accounts import authenticate
from app.records.models import User
from app.records.security_routes import after_password

# --- home, login ------------------------------------------------------------------------


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, State]) -> Template | Redirect:
    user = current_user(request)
    if user is None:
        return render_page(request, "landing.html")
    return Redirect("/me", status_code=303)  # every role starts on what needs doing today


@get("/login", include_in_schema=False)
async def login_page(
    request: Request[Any, Any, State],
    next_: Annotated[str | None, QueryParameter(name="next")] = None,
) -> Template | Redirect:
    if current_user(request) is not None:
        return Redirect(_safe_next(next_), status_code=303)
    return render_page(request, "login.html", next=next_, email="", message=None)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@post("/login", include_in_schema=False)
async def login(request: Request[Any, Any, State], db_session: DbSession) -> Template | Redirect:
    raw = await form_data(request)
    email = str(raw.get("email") or "")[:254]
    password = str(raw.get("password") or "")[:200]
    next_ = raw.get("next") if isinstance(raw.get("next"), str) else None
    if not email or not password:
        return render_page(
            request,
            "login.html",
            status_code=422,
            next=next_,
            email=email,
            message=_("Podaj adres e-mail i hasło."),
        )
    try:
        user = await authenticate(
            db_session, email, password, client=request.client.host if request.client else ""
        )
    except TooManyAttempts as exc:
        return render_page(
            request, "login.html", status_code=429, next=next_, email=email, message=exc.message
        )
    if user is None:
        return render_page(
            request,
            "login.html",
            status_code=422,
            next=next_,
            email=email,
            message=_("Nieprawidłowy e-mail lub hasło."),
        )
    return await after_password(request, db_session, user, _safe_next(next_))


@post("/logout", include_in_schema=False)
async def logout(request: Request[Any, Any, State]) -> Redirect:
    end_session(request)
    return Redirect("/login", status_code=303)


@get("/me", guards=[login_required], include_in_schema=False)
async def my_home(request: Request[Any, Any, State], db_session: DbSession) -> Template:
    """The staff start page, every role's first page after signing in: what needs doing today.
    The records add the person's availability and absences, their cases in progress for whoever
    counsels (the coordinator too, S52) and case counts (never a case) for the head of unit;
    the other areas add their sections (``Area.panels`` for "me"): the next duties and who
    comes, the team's week, cases near their deadline, supervision due, the quarter's totals."""
    user = me(request)
    profile = await get_or_404(db_session, User, user.id, _("pracownik"))
    counts = await service.case_counts(db_session) if user.is_head else {}
    my_cases = (
        await service.list_cases(db_session, counsellor_id=user.id, active_only=True, limit=50)
        if user.counsels
        else []
    )
    return render_page(
        request,
        "me.html",
        profile=profile,
        counts=counts,
        my_cases=my_cases,
        today=today(),
        panels=await page_panels(request, db_session, "me"),
    )


HANDLERS: list[Any] = [home, login_page, login, logout, my_home]
