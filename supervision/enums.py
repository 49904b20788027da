"""Kinds the supervision tables store, shared by its features (pure: no database)."""

from __future__ import annotations

from enum import StrEnum


class SessionKind(StrEnum):
    FUNCTIONAL = "functional"
    PROBLEM = "problem"
    DEVELOPMENTAL = "developmental"
    INTERVISION = "intervision"

    @property
    def label(self) -> str:
        return _SESSION_LABELS[self]


_SESSION_LABELS = {
    SessionKind.FUNCTIONAL: "superwizja funkcjonalna",
    SessionKind.PROBLEM: "superwizja problemowa",
    SessionKind.DEVELOPMENTAL: "superwizja rozwojowa",
    SessionKind.INTERVISION: "interwizja",
}


class RecordKind(StrEnum):
    INITIAL_MODULE = "initial_module"
    INDIVIDUAL_MEETING = "individual_meeting"
    EXTERNAL_TRAINING = "external_training"
    POSTGRADUATE = "postgraduate"

    @property
    def label(self) -> str:
        return _RECORD_LABELS[self]


_RECORD_LABELS = {
    RecordKind.INITIAL_MODULE: "moduł szkolenia wstępnego",
    RecordKind.INDIVIDUAL_MEETING: "spotkanie indywidualne z koordynatorką",
    RecordKind.EXTERNAL_TRAINING: "szkolenie zewnętrzne",
    RecordKind.POSTGRADUATE: "studia podyplomowe",
}
