"""Plural forms go through gettext with the Polish catalogue's three forms (issue 16: "1 dyżuru",
"5 osoby" came from string concatenation), and no ``ngettext`` message lacks its Polish entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.i18n import catalogue_path, ngettext
from app.templating import make_environment

ROOT = Path(__file__).resolve().parents[3]
METHODS = [
    ("app/**.py", "python"),
    ("scheduling/**.py", "python"),
    ("supervision/**.py", "python"),
    ("templates/**.html", "jinja2"),
]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 dyżur"),
        (2, "2 dyżury"),
        (4, "4 dyżury"),
        (5, "5 dyżurów"),
        (11, "11 dyżurów"),
        (12, "12 dyżurów"),
        (22, "22 dyżury"),
        (25, "25 dyżurów"),
        (0, "0 dyżurów"),
        (104, "104 dyżury"),
    ],
)
def test_polish_plural_forms_follow_the_number(n: int, expected: str) -> None:
    assert ngettext("%(num)d dyżur", "%(num)d dyżurów", n) % {"num": n} == expected


def test_templates_pluralise_through_the_same_catalogue() -> None:
    env = make_environment()
    template = env.from_string('{{ ngettext("%(num)d osoba", "%(num)d osób", n) }}')
    assert [template.render(n=n) for n in (1, 3, 5, 22)] == [
        "1 osoba",
        "3 osoby",
        "5 osób",
        "22 osoby",
    ]


def test_every_plural_message_in_the_code_has_its_three_polish_forms() -> None:
    with catalogue_path("pl").open("rb") as po:
        catalog = read_po(po, locale="pl")
    missing = []
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    ):
        if isinstance(message, tuple) and len(message) >= 2 and message[1]:
            entry = catalog.get(message[0])
            forms = entry.string if entry is not None else ()
            if not (isinstance(forms, tuple) and len(forms) == 3 and all(forms)):
                missing.append(f"{filename}: {message[0]!r}")
    assert not missing, (
        "ngettext messages without three Polish forms in pl/messages.po: " + ", ".join(missing)
    )
