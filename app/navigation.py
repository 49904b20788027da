"""The main menu: which pages each role reaches from the top of every page, in groups.

One place holds the links (``base.html`` only draws them), so a new page is added here once
and a test can check that every role reaches each of its pages from the menu. Pure: a role in,
plain values out. A link is listed only for a role whose guard admits it (the routes' guards
stay the rule; the menu never offers a page that answers 403).

The coordinator's menu is long (she plans, books by phone, supervises and sets things up), so it
comes in named groups drawn as disclosures; the counsellor's and the head's fit one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.auth import Role


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True, slots=True)
class MenuGroup:
    """A named group of links; ``title`` empty: links shown without a heading (the start page)."""

    title: str
    links: tuple[Link, ...]


def _links(*pairs: tuple[str, str]) -> tuple[Link, ...]:
    return tuple(Link(href, text) for href, text in pairs)


START = Link("/me", "Mój plan")
CALENDAR = Link("/calendar", "Kalendarz")
ACCOUNT = Link("/account/security", "Bezpieczeństwo konta")  # tokens, the second factor

_COORDINATOR = (
    MenuGroup("", (START, CALENDAR, ACCOUNT)),
    MenuGroup(
        "Plan",
        _links(
            ("/rota", "Grafik dyżurów"),
            ("/bookings/duties/new", "Opublikuj dyżur ręcznie"),
            ("/places", "Miejsca dyżurów"),
            ("/office-hours", "Godziny w biurach"),
        ),
    ),
    MenuGroup(
        "Uczestnicy",
        _links(
            ("/bookings", "Rezerwacje"),
            ("/bookings/phone", "Zapis telefoniczny"),
            ("/cases", "Sprawy"),
            ("/participants", "Uczestnicy"),
        ),
    ),
    MenuGroup(
        "Jakość",
        _links(
            ("/supervision", "Superwizja"),
            ("/supervision/licences", "Licencje"),
            ("/supervision/training", "Szkolenia"),
            ("/supervision/indicators", "Wskaźniki"),
            ("/audit", "Dziennik zdarzeń"),
            ("/outbox", "Poczta do sprawdzenia"),
        ),
    ),
    MenuGroup(
        "Ustawienia",
        _links(
            ("/staff", "Zespół"),
            ("/districts", "Powiaty"),
            ("/offices", "Biura"),
            ("/bookings/rules", "Reguły udziału"),
            ("/bookings/windows", "Nabory do 25 lat"),
            ("/record/questions", "Listy pytań"),
        ),
    ),
)

_COUNSELLOR = (
    MenuGroup(
        "",
        (
            START,
            *_links(
                ("/bookings", "Rezerwacje"),
                ("/cases", "Moje sprawy"),
                ("/supervision", "Superwizja"),
                ("/supervision/licences", "Moje licencje"),
                ("/supervision/training/me", "Moje szkolenia"),
            ),
            CALENDAR,
            ACCOUNT,
        ),
    ),
)

# The head of unit reads: the rota, supervision and licences without case notes, and totals.
_HEAD = (
    MenuGroup(
        "",
        (
            Link("/me", "Start"),
            *_links(
                ("/rota", "Grafik dyżurów"),
                ("/supervision", "Superwizja"),
                ("/supervision/licences", "Licencje"),
                ("/supervision/indicators", "Wskaźniki"),
            ),
            CALENDAR,
            ACCOUNT,
        ),
    ),
)

MENUS: dict[Role, tuple[MenuGroup, ...]] = {
    Role.coordinator: _COORDINATOR,
    Role.counsellor: _COUNSELLOR,
    Role.head: _HEAD,
}


def menu_for(role: Role) -> tuple[MenuGroup, ...]:
    """The groups of the menu a person of ``role`` sees, in order."""
    return MENUS[role]


def menu_links(groups: Iterable[MenuGroup]) -> list[Link]:
    """Every link of a menu, in the order shown."""
    return [link for group in groups for link in group.links]


def current_link(hrefs: Iterable[str], path: str) -> str | None:
    """The menu link for ``path``: the longest link that is the page or a section above it."""
    matching = [h for h in hrefs if path == h or path.startswith(h.rstrip("/") + "/")]
    return max(matching, key=len, default=None)


def current_href(groups: Iterable[MenuGroup], path: str) -> str | None:
    """The menu link marked as the current page for ``path`` (see :func:`current_link`)."""
    return current_link((link.href for link in menu_links(groups)), path)


def current_group(groups: Iterable[MenuGroup], path: str) -> str | None:
    """The title of the group holding the current page's link (marked in the menu), or None."""
    groups = tuple(groups)
    current = current_href(groups, path)
    return next((g.title for g in groups if any(link.href == current for link in g.links)), None)
