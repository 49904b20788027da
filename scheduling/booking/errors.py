"""Why a booking, a move or a cancellation is refused: facts with an HTTP status and a Polish
message (the routes turn them into a page or problem details)."""

from __future__ import annotations

from app.errors import Conflict, Forbidden
from app.i18n import gettext as _
from scheduling.booking.eligibility import Verdict


class SlotFull(Conflict):
    """The slot has no seat left; ``next_free`` lists the nearest free slots of the place."""


class SlotGone(Conflict):
    """The slot is no longer bookable (cancelled duty, already started, too soon)."""


class NotEligible(Forbidden):
    """The person may not take part; the reasons and whom to call go with it."""

    title = "Nie możemy Cię zapisać"

    def __init__(self, verdict: Verdict) -> None:
        reasons = [{"code": r.code, "text": r.text} for r in verdict.reasons]
        super().__init__(" ".join(verdict.messages), reasons=reasons, contact=verdict.contact)
        self.verdict = verdict


class OtherCounsellor(Forbidden):
    """The meetings of an open case are with the case's own counsellor."""

    def __init__(self, counsellor: str, contact_phone: str) -> None:
        super().__init__(
            _(
                "Masz już otwarty Bilans Kariery u doradcy %(counsellor)s. Kolejne spotkania "
                "umawiasz tylko z nim lub nią: wybierz jego lub jej termin albo zadzwoń: %(phone)s."
            )
            % {"counsellor": counsellor, "phone": contact_phone}
        )


class NotOnline(Forbidden):
    """A known person with a Bilans under way asked for a meeting without proving who they are
    (the public form or API, not their manage link): refused without saying why, so a stranger
    who types someone's email and birth date learns nothing about a case or a counsellor."""

    def __init__(self, contact_phone: str) -> None:
        super().__init__(
            _(
                "Nie możemy przyjąć tej rezerwacji przez stronę. Jeśli już spotykasz się z naszym "
                "doradcą, kolejny termin umówisz linkiem z e-maila z potwierdzeniem; możesz też "
                "zadzwonić: %(phone)s."
            )
            % {"phone": contact_phone}
        )


def own_counsellor_only(
    case_counsellor_id: int, slot_counsellor_id: int, *, counsellor: str, contact_phone: str
) -> None:
    """The rule, in one place: a further meeting of an open case is with its counsellor."""
    if case_counsellor_id != slot_counsellor_id:
        raise OtherCounsellor(counsellor, contact_phone)
