"""The catalogue check CI runs (issue 18, acceptance 3): every message a participant can see has a
Ukrainian and an English translation, and ``app/translations/messages.pot`` is up to date.

Messages are extracted with Babel's own API over ``babel.cfg``'s mapping (what ``pybabel
extract`` reads), so the check sees exactly what the catalogue template holds. A translation
counts when it is not fuzzy, not empty, and a plural message has every form its language has
(Ukrainian three, English two).

The one rule for what need not be translated, :data:`STAFF_ONLY`: a message whose every
occurrence is in a staff-only source (staff pages, their services and templates, staff mails)
stays Polish, as staff pages do (``app.language``). Everything else, including any new module or
template, must be translated: a message shared by a staff and a public source is required, and a
new source is public until it is listed here. The Polish catalogue's plural forms are checked
by ``tests/unit/app/test_i18n.py``.

After changing messages: ``uv run pybabel extract -F babel.cfg -o app/translations/messages.pot
--no-location --project "Bilans Kariery" .``, then add the new entries to the uk and en
catalogues by hand (never ``pybabel update``, which would mark near matches fuzzy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.i18n import catalogue_path

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ("uk", "en")

#: Sources only staff read (paths from the repository root, fnmatch patterns: ``*`` crosses
#: folders). A message found only in these may stay Polish.
STAFF_ONLY = (
    "supervision/*",
    "app/records/*",
    "app/security.py",
    "app/outbox/*",
    "scheduling/rota/*",
    "scheduling/record/*",
    "scheduling/portfolio/*",
    "scheduling/documents/*",
    "scheduling/office_hours/*",
    "scheduling/feeds/*",
    "scheduling/cases/*",
    "scheduling/privacy/*",
    "scheduling/aftercare/service.py",
    "scheduling/aftercare/routes.py",
    "scheduling/booking/staff_routes.py",
    "scheduling/booking/hand_duties.py",
    "scheduling/booking/rules_form.py",
    "scheduling/booking/rules.py",
    "scheduling/booking/booking_list.py",
    "scheduling/booking/today.py",
    "templates/account/*",
    "templates/audit/*",
    "templates/cases/*",
    "templates/documents/*",
    "templates/feeds/*",
    "templates/lists/*",
    "templates/office_hours/*",
    "templates/outbox/*",
    "templates/portfolio/*",
    "templates/record/*",
    "templates/records/*",
    "templates/rota/*",
    "templates/staff/*",
    "templates/start/*",
    "templates/supervision/*",
    "templates/tools/*",
    "templates/login.html",
    "templates/me.html",
    "templates/mail/rota_duties.*",
    "templates/mail/supervision_invitation.*",
)

MessageKey = tuple[str | tuple[str, ...], str | None]  # (msgid or (singular, plural), context)


def extract(root: Path) -> dict[MessageKey, set[str]]:
    """Every message under ``root`` by babel.cfg's mapping, with the files it occurs in."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[MessageKey, set[str]] = {}
    for filename, _line, message, _comments, context in extract_from_dir(
        str(root), method_map, options_map
    ):
        msgid = message if isinstance(message, str) else tuple(m for m in message if m)
        if not msgid:
            continue
        if isinstance(msgid, tuple) and len(msgid) == 1:
            msgid = msgid[0]
        found.setdefault((msgid, context), set()).add(filename.replace("\\", "/"))
    return found


@cache
def project_messages() -> dict[MessageKey, set[str]]:
    return extract(ROOT)


def staff_only(filenames: Iterable[str]) -> bool:
    return all(any(fnmatch(name, pattern) for pattern in STAFF_ONLY) for name in filenames)


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=locale)


def translated(catalog: Catalog, msgid: str | tuple[str, ...], context: str | None) -> bool:
    """Whether ``catalog`` holds a usable translation: not fuzzy, not empty, all plural forms."""
    plural = isinstance(msgid, tuple)
    entry = catalog.get(msgid[0] if plural else msgid, context=context)
    if entry is None or entry.fuzzy:
        return False
    if plural:
        forms = entry.string if isinstance(entry.string, tuple) else ()
        return len(forms) == catalog.num_plurals and all(forms)
    return isinstance(entry.string, str) and bool(entry.string)


def untranslated(messages: dict[MessageKey, set[str]], catalog: Catalog) -> list[str]:
    """The messages a participant may see that ``catalog`` does not translate, with where."""
    return sorted(
        f"{msgid!r} ({', '.join(sorted(files))})"
        for (msgid, context), files in messages.items()
        if not staff_only(files) and not translated(catalog, msgid, context)
    )


def template_difference(
    messages: dict[MessageKey, set[str]], pot: Catalog
) -> tuple[list[str], list[str]]:
    """What the catalogue template lacks of the code's messages, and what it holds that the code
    no longer has."""
    extracted = set(messages)
    in_pot: set[MessageKey] = {
        (m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in pot if m.id
    }
    return sorted(map(_named, extracted - in_pot)), sorted(map(_named, in_pot - extracted))


def _named(key: MessageKey) -> str:
    msgid, context = key
    return repr(msgid) if context is None else f"{context}|{msgid!r}"


def test_every_message_a_participant_can_see_is_translated_into_ukrainian_and_english() -> None:
    messages = project_messages()
    missing = {
        lang: untranslated(messages, read_catalogue(catalogue_path(lang), lang))
        for lang in LANGUAGES
    }
    assert missing == {lang: [] for lang in LANGUAGES}, "\n".join(
        f"{lang}: {len(items)} untranslated:\n  " + "\n  ".join(items)
        for lang, items in missing.items()
        if items
    )


def test_the_catalogue_template_is_up_to_date_with_the_code() -> None:
    lacking, stale = template_difference(
        project_messages(), read_catalogue(ROOT / "app/translations/messages.pot")
    )
    assert (lacking, stale) == ([], []), (
        f"messages.pot is out of date (run pybabel extract, see this module's docstring): "
        f"not in it: {lacking}; no longer in the code: {stale}"
    )


def test_the_check_reports_a_new_message_nobody_translated(tmp_path: Path) -> None:
    """A new text in a public template and a new service message, extracted through the same
    mapping, are reported as untranslated in both languages and as missing from the template;
    the same new text in a staff-only template is not required."""
    (tmp_path / "templates" / "booking").mkdir(parents=True)
    (tmp_path / "templates" / "rota").mkdir(parents=True)
    (tmp_path / "scheduling").mkdir()
    (tmp_path / "templates" / "booking" / "new.html").write_text(
        '<p>{{ _("Zupełnie nowy tekst dla uczestnika") }}</p>\n'
        '<p>{{ ngettext("%(num)d nowe miejsce", "%(num)d nowych miejsc", n) }}</p>\n'
        '<p>{{ _("Dziękujemy za zapis.") }}</p>\n',
        encoding="utf-8",
    )
    (tmp_path / "templates" / "rota" / "new.html").write_text(
        '{{ _("Tekst tylko dla koordynatorki") }}', encoding="utf-8"
    )
    (tmp_path / "scheduling" / "new_rule.py").write_text(
        'from app.i18n import gettext as _\n\nMESSAGE = _("Nowy komunikat usługi")\n',
        encoding="utf-8",
    )
    messages = extract(tmp_path)

    for lang in LANGUAGES:
        reported = untranslated(messages, read_catalogue(catalogue_path(lang), lang))
        assert reported == [
            "'Nowy komunikat usługi' (scheduling/new_rule.py)",
            "'Zupełnie nowy tekst dla uczestnika' (templates/booking/new.html)",
            "('%(num)d nowe miejsce', '%(num)d nowych miejsc') (templates/booking/new.html)",
        ]
    lacking, _stale = template_difference(
        messages, read_catalogue(ROOT / "app/translations/messages.pot")
    )
    assert "'Zupełnie nowy tekst dla uczestnika'" in lacking
    assert "('%(num)d nowe miejsce', '%(num)d nowych miejsc')" in lacking


def test_a_fuzzy_or_partly_plural_translation_does_not_count() -> None:
    catalog = Catalog(locale="uk")
    catalog.add("Stary tekst", "Старий текст", flags=["fuzzy"])
    catalog.add(("%(num)d termin", "%(num)d terminów"), ("%(num)d термін", "", ""))
    catalog.add("Dobry tekst", "Добрий текст")

    assert not translated(catalog, "Stary tekst", None)
    assert not translated(catalog, ("%(num)d termin", "%(num)d terminów"), None)
    assert translated(catalog, "Dobry tekst", None)


def test_no_catalogue_holds_a_message_twice() -> None:
    """Babel keeps the last of two entries with the same msgid without a word, so a second
    translation appended later would silently replace the first."""
    twice: dict[str, list[str]] = {}
    for lang in ("pl", "uk", "en"):
        ids = re.findall(r'^msgid "(.+)"$', catalogue_path(lang).read_text("utf-8"), re.MULTILINE)
        twice[lang] = sorted({i for i in ids if ids.count(i) > 1})
    assert twice == {"pl": [], "uk": [], "en": []}
