"""The records area as the application sees it (listed in :mod:`app.areas`)."""

from __future__ import annotations

from datetime import timedelta

from app.area import Area, Periodic
from app.auth import Role
from app.records import (
    account_routes,
    api,
    audit_routes,
    cli,
    demo,
    people_routes,
    routes,
    security_routes,
)
from app.records.accounts import purge_login_failures
from app.records.enums import (
    EDUCATION_LABELS,
    EMPLOYMENT_LABELS,
    REGION_LINK_LABELS,
    STATUS_LABELS,
    VARIANT_LABELS,
)
from app.records.models import (
    Absence,
    AbsenceKind,
    ApiToken,
    AvailabilityWindow,
    Case,
    CaseSequence,
    Consent,
    District,
    DutyPlace,
    LoginFailure,
    Office,
    Participant,
    PlaceKind,
    PlaceWindow,
    UploadedFile,
    User,
)
from app.records.totp_models import RecoveryCode, StaffTotp

LABELS = {
    "place_kinds": {
        PlaceKind.municipal_office: "Urząd gminy / miasta",
        PlaceKind.library: "Biblioteka",
        PlaceKind.school: "Szkoła",
        PlaceKind.culture_centre: "Dom / centrum kultury",
        PlaceKind.other: "Inne",
    },
    "roles": {
        Role.coordinator: "Koordynatorka",
        Role.counsellor: "Doradca",
        Role.head: "Kierownik referatu",
    },
    "absence_kinds": {
        AbsenceKind.absence: "Nieobecność",
        AbsenceKind.delegation: "Delegacja do innych zadań",
    },
    "variants": VARIANT_LABELS,
    "statuses": STATUS_LABELS,
    "education": {k.value: v for k, v in EDUCATION_LABELS.items()},
    "employment": {k.value: v for k, v in EMPLOYMENT_LABELS.items()},
    "region_link": {k.value: v for k, v in REGION_LINK_LABELS.items()},
}

AREA = Area(
    name="records",
    handlers=[
        *account_routes.HANDLERS,
        *routes.HANDLERS,
        *people_routes.HANDLERS,
        *api.HANDLERS,
        *audit_routes.HANDLERS,
        *security_routes.HANDLERS,
    ],
    periodic=[Periodic(purge_login_failures, every=timedelta(hours=1))],
    demo=demo.load,
    commands=[cli.users],
    models=(
        Office,
        District,
        DutyPlace,
        PlaceWindow,
        User,
        AvailabilityWindow,
        Absence,
        ApiToken,
        LoginFailure,
        Participant,
        Consent,
        CaseSequence,
        Case,
        UploadedFile,
        StaffTotp,
        RecoveryCode,
    ),
    labels=LABELS,
)
