"""Texts participants see that are defined as data elsewhere (form labels, enum labels, the
consents, error titles, the office's hours): marked here with ``N_`` so ``pybabel extract`` puts
them in the catalogues, and translated where they are shown (templates call ``_(text)`` in the
request's language). tests/unit/scheduling/test_public_texts.py checks that every such text is
marked here, so a text changed at its source cannot silently lose its translations.

Pure: no imports, only the Polish message ids.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; it is translated where it is shown."""
    return message


# app.records.enums: the booking form's options.
EDUCATION = (
    N_("podstawowe"),
    N_("gimnazjalne"),
    N_("zasadnicze zawodowe (branżowe)"),
    N_("średnie (liceum, technikum)"),
    N_("policealne"),
    N_("wyższe"),
)
EMPLOYMENT = (
    N_("umowa o pracę"),
    N_("umowa cywilnoprawna (zlecenie, o dzieło)"),
    N_("własna działalność gospodarcza bez pracowników"),
    N_("prowadzę gospodarstwo rolne"),
)
REGION_LINK = (
    N_("mieszkam w Małopolsce"),
    N_("pracuję w Małopolsce"),
    N_("uczę się w Małopolsce"),
)

# scheduling.booking.schemas: the consents (the legal texts; the Polish wording is binding) and
# the booking form's labels and messages.
CONSENTS = (
    N_(
        "Zgadzam się, aby Wojewódzki Urząd Pracy w Krakowie przetwarzał moje dane osobowe "
        "w celu udziału w projekcie Bilans Kariery."
    ),
    N_("Oświadczam, że podane informacje o pracy, wieku i wykształceniu są prawdziwe."),
    N_(
        "Zgadzam się na kontakt po zakończeniu Bilansu z pytaniami o moją dalszą drogę zawodową "
        "(nieobowiązkowe)."
    ),
)
BOOKING_FORM = (
    N_("Jak pracujesz?"),
    N_("Wybierz, jak pracujesz."),
    N_("Co łączy Cię z Małopolską?"),
    N_("Wybierz, co łączy Cię z Małopolską."),
    N_("Data urodzenia"),
    N_("Wpisz datę urodzenia, np. 31.05.1980."),
    N_("Wpisz datę urodzenia: dzień, miesiąc i rok, np. 31.05.1980."),
    N_("Najwyższe ukończone wykształcenie"),
    N_("Wybierz najwyższe ukończone wykształcenie."),
    N_("Imię"),
    N_("Wpisz imię."),
    N_("Nazwisko"),
    N_("Wpisz nazwisko."),
    N_("Adres e-mail"),
    N_("Wpisz adres e-mail."),
    N_("Wpisz adres e-mail w postaci nazwa@domena.pl, np. jan.kowalski@example.pl."),
    N_("Telefon"),
    N_("Wpisz numer telefonu."),
    N_("Wpisz numer telefonu, np. 600 100 200."),
    N_("Zgody"),
    N_("Zaznacz obowiązkowe zgody."),
    N_("Zaznacz obowiązkowe zgody, bez nich nie możemy Cię zapisać."),
)

# scheduling.plan: what a meeting is for (the manage page lists a case's meetings).
MEETING_PARTS = (
    N_("rozmowa doradczo-rekrutacyjna"),
    N_("wywiad biograficzny"),
    N_("wywiad behawioralny"),
    N_("narzędzia diagnostyczne"),
    N_("przegląd portfolio"),
    N_("podsumowanie"),
    N_("spotkanie"),
)

# scheduling.aftercare.rules: the outcome survey's first question.
TRAINING = (
    N_("Tak, szkolenie już skończyłem(-am)"),
    N_("Tak, szkolenie trwa"),
    N_("Nie, nie zacząłem(-ęłam) szkolenia"),
)

# app.errors, app.error_handlers and the areas' errors: the error page's titles.
ERROR_TITLES = (
    N_("Błędne żądanie"),
    N_("Wymagane logowanie"),
    N_("Brak dostępu"),
    N_("Nie znaleziono"),
    N_("Niedozwolona metoda"),
    N_("Konflikt"),
    N_("Za duże dane"),
    N_("Nieobsługiwany format danych"),
    N_("Niepoprawne dane"),
    N_("Zbyt wiele prób"),
    N_("Usługa niedostępna"),
    N_("Błąd"),
    N_("Nie możemy Cię zapisać"),
    N_("Ankieta zamknięta"),
)

# app.settings: the office's hours, as the default settings say them.
CONTACT_HOURS = (N_("poniedziałek–piątek, 8:00–16:00"),)
