"""The staff bookings list page (issue 16): a range of days typed as people type them, a day it
cannot read named in Polish (never a 500), search and filters kept; the query itself is tested on
both engines in tests/integration/app/test_list_paging.py."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import COORDINATOR, login


async def test_bookings_page_says_which_day_it_could_not_read_and_shows_the_week(
    client: AsyncTestClient[Litestar],
) -> None:
    await login(client, COORDINATOR)

    bad = await client.get(
        "/bookings",
        params={"from": "2027-13-40", "page": "x", "counsellor": "99999999999"},
    )
    typed = await client.get("/bookings", params={"from": "01.06.2026", "to": "2026-09-07",
                                                   "status": "no_show"})  # fmt: skip

    assert bad.status_code == 200
    assert "Nie rozpoznano daty: „2027-13-40”" in bad.text
    assert typed.status_code == 200
    assert "Od 1.06.2026 do 7.09.2026" in typed.text
    assert "Znalezione rezerwacje:" in typed.text
    assert "Brak rezerwacji" not in typed.text
