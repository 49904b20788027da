"""Demo records of the card and the interviews for the demo's completed deep cases, so a
newcomer opens a whole Bilans: schools, courses and jobs, the biographical interview with the
questions of the coordinator's lists (copied as asked), the personal part held, refused or
interrupted, and STAR situations in the three parts. Written as rows of this package only,
after the case stories (which decide which cases are completed); not committed here."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from scheduling.record.entries import BiographyArea, EmploymentForm, PersonalState, SchoolLevel
from scheduling.record.entries import StarPart as Part
from scheduling.record.models import (
    BiographyAnswer,
    BiographyPart,
    CardActivity,
    CardCourse,
    CardJob,
    CardSchool,
    ParticipantCard,
    QuestionItem,
    QuestionList,
    StarSituation,
)

SEED = 1414

# (school, level, from, to, completed): a few paths through school a participant tells.
PATHS: list[list[tuple[str, SchoolLevel, int, int, bool]]] = [
    [("Szkoła Podstawowa nr 3 w Skarżysku-Kamiennej", SchoolLevel.primary, 1990, 1998, True),
     ("Zespół Szkół Mechanicznych w Skarżysku-Kamiennej", SchoolLevel.vocational, 1998, 2001, True)],
    [("Szkoła Podstawowa w Chęcinach", SchoolLevel.primary, 1994, 2000, True),
     ("Gimnazjum w Chęcinach", SchoolLevel.lower_secondary, 2000, 2003, True),
     ("Technikum Ekonomiczne w Kielcach", SchoolLevel.technical_secondary, 2003, 2007, True),
     ("Uniwersytet Jana Kochanowskiego w Kielcach, administracja", SchoolLevel.bachelor, 2007, 2009, False)],
    [("Szkoła Podstawowa nr 12 w Kielcach", SchoolLevel.primary, 1985, 1993, True),
     ("II LO im. Jana Śniadeckiego w Kielcach", SchoolLevel.general_secondary, 1993, 1997, True),
     ("Politechnika Świętokrzyska, budownictwo", SchoolLevel.bachelor, 1997, 2001, True),
     ("Politechnika Świętokrzyska, budownictwo", SchoolLevel.master, 2001, 2003, True)],
    [("Szkoła Podstawowa w Busku-Zdroju", SchoolLevel.primary, 1998, 2004, True),
     ("Gimnazjum nr 1 w Busku-Zdroju", SchoolLevel.lower_secondary, 2004, 2007, True),
     ("Szkoła Policealna Medyczna w Kielcach, opiekun medyczny", SchoolLevel.post_secondary, 2011, 2012, True)],
]  # fmt: skip

COURSES = [
    ("Obsługa wózków jezdniowych z napędem silnikowym", "Ośrodek Szkolenia Zawodowego w Kielcach", 67,
     "Bezpieczna obsługa i codzienna konserwacja wózka widłowego", "Zaświadczenie kwalifikacyjne UDT"),
    ("Excel w pracy biurowej – poziom średnio zaawansowany", "Centrum Kształcenia Ustawicznego", 24,
     "Tabele przestawne, formuły warunkowe, wykresy", "Zaświadczenie ukończenia kursu"),
    ("Pierwsza pomoc przedmedyczna", "Polski Czerwony Krzyż", 8,
     "Resuscytacja, pozycja boczna, użycie AED", "Certyfikat PCK"),
    ("Kurs spawania metodą MAG (135)", "Zakład Doskonalenia Zawodowego", 145,
     "Spawanie blach w pozycji podolnej i naściennej", "Świadectwo egzaminu spawacza"),
    ("Język angielski A2", "Szkoła językowa Speak Up", 60, "Rozmowa w sklepie i w pracy", ""),
]  # fmt: skip

JOBS = [
    ("Zakłady Metalowe MESKO S.A.", EmploymentForm.employment_contract, "operator obrabiarek CNC",
     "Ustawianie i obsługa tokarek CNC, kontrola wymiarów, prowadzenie dokumentacji zmiany", 2002, 2015),
    ("Hurtownia spożywcza „Pod Dębem”", EmploymentForm.employment_contract, "magazynier",
     "Przyjmowanie i wydawanie towaru, kompletacja zamówień, obsługa skanera i wózka", 2015, 2023),
    ("Biuro rachunkowe „Bilans” s.c.", EmploymentForm.mandate, "pomoc biurowa",
     "Wprowadzanie faktur do programu, archiwizacja, kontakt z klientami", 2009, 2012),
    ("Dom Pomocy Społecznej w Końskich", EmploymentForm.employment_contract, "opiekunka",
     "Opieka nad osobami starszymi, pomoc przy posiłkach i higienie, prowadzenie kart", 2012, 2021),
    ("Usługi remontowo-budowlane", EmploymentForm.self_employed, "właściciel",
     "Wyceny, zakupy materiałów, prowadzenie ekipy 3 osób, rozliczenia z klientami", 2005, 2019),
    ("Urząd Gminy Chęciny", EmploymentForm.internship, "stażystka w referacie podatków",
     "Przygotowywanie decyzji podatkowych, obsługa interesantów", 2010, 2010),
]  # fmt: skip

ACTIVITIES = [
    ("Ochotnicza Straż Pożarna w Bodzentynie", "Druhna, udział w zawodach i zabezpieczeniu imprez"),
    ("Koło Gospodyń Wiejskich", "Organizacja dożynek i kiermaszów, prowadzenie zapisów"),
    ("Parafialny zespół Caritas", "Zbiórki żywności, roznoszenie paczek starszym sąsiadom"),
    ("Klub sportowy „Orlęta”", "Trener-wolontariusz drużyny dzieci (piłka nożna)"),
]

INTERESTS = [
    "Majsterkowanie, naprawa rowerów, wędkarstwo",
    "Gotowanie, szycie na maszynie, ogród",
    "Historia regionu, fotografia przyrody",
    "Piłka nożna, motoryzacja, gry planszowe z dziećmi",
]

# Each answer with the position of the question (in the migration's list) it answers.
ANSWERS = {
    BiographyArea.education: [
        (1, "Szkołę wybrali rodzice, bo była blisko domu; najlepiej szły zajęcia praktyczne."),
        (2, "Lubił(a) matematykę i warsztaty, gorzej z językami obcymi."),
        (3, "Przerwał(a) studia, gdy urodziło się pierwsze dziecko; żałuje, chciał(a)by wrócić."),
        (5, "Dużo nauczył(a) się z filmów w internecie, np. obsługi arkusza kalkulacyjnego."),
    ],
    BiographyArea.work: [
        (0, "Pierwsza praca przez znajomych; nauczył(a) się punktualności i pracy w zespole."),
        (2, "Najchętniej zajmował(a) się porządkowaniem dokumentów i kontaktem z klientami."),
        (3, "Największa satysfakcja: wdrożenie nowego układu magazynu, który skrócił kompletację."),
        (4, "Zmiana pracy po likwidacji zakładu; potem dwa lata opieki nad mamą."),
    ],
    BiographyArea.personal: [
        (0, "Wolny czas w ogrodzie i z wnukami; w weekendy rower."),
        (1, "Od lat w OSP, odpowiada za sprzęt i szkolenia młodzieży."),
        (5, "Ważne: rodzina, uczciwość, żeby praca była blisko domu."),
    ],
}

STAR = {
    Part.work: [
        ("Awaria systemu w magazynie w dzień dużej dostawy.",
         "Przyjąć 3 tiry towaru bez skanerów.", "Rozpisał(a) papierowe listy, podzielił(a) zespół na pary.",
         "Dostawa przyjęta tego samego dnia, bez braków.", "organizacja pracy, kierowanie zespołem",
         "Opinia przełożonego, zaświadczenie o zakresie obowiązków", "Pisemna pochwała kierownika"),
        ("Klient składał reklamację podniesionym głosem.", "Wyjaśnić sprawę i zatrzymać klienta.",
         "Wysłuchał(a), sprawdził(a) dokumenty, zaproponował(a) wymianę.", "Klient wrócił z kolejnym zamówieniem.",
         "komunikacja, radzenie sobie ze stresem", "Rozmowa weryfikacyjna, referencje", "Brak dokumentów"),
    ],
    Part.personal: [
        ("Organizacja festynu rodzinnego we wsi.", "Zebrać fundusze i wolontariuszy.",
         "Rozpisał(a) budżet, pozyskał(a) dwóch sponsorów, prowadził(a) grafik.", "Festyn dla 400 osób, zysk na świetlicę.",
         "planowanie, negocjacje, obsługa budżetu", "Portfolio: zdjęcia, plakat, podziękowanie sołtysa",
         "Podziękowanie od Rady Sołeckiej"),
        ("Opieka nad chorą mamą przez dwa lata.", "Pogodzić opiekę z domem.",
         "Nauczył(a) się zmiany opatrunków i obsługi koncentratora tlenu, prowadził(a) dzienniczek leków.",
         "Mama w domu, bez pobytów w szpitalu.", "opieka nad osobą zależną, systematyczność",
         "Zaświadczenie pielęgniarki środowiskowej", "Dzienniczek leków"),
    ],
    Part.events: [
        ("Likwidacja zakładu pracy po 13 latach.", "Znaleźć nową pracę w wieku 40 lat.",
         "Zarejestrował(a) się w urzędzie pracy, zrobił(a) kurs wózka widłowego.", "Praca w hurtowni po 4 miesiącach.",
         "adaptacja do zmian, uczenie się", "Zaświadczenie UDT, świadectwo pracy", "Świadectwa pracy, zaświadczenie UDT"),
        ("Przeprowadzka ze wsi do miasta z dwójką dzieci.", "Zorganizować szkołę i dojazdy.",
         "Porównał(a) szkoły, ustalił(a) plan z sąsiadką.", "Dzieci w szkole od września, praca na zmiany.",
         "planowanie, samodzielność", "Opis w portfolio", "Brak"),
    ],
}  # fmt: skip


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Fill the card and the interviews of every completed deep demo case (not committed)."""
    cases = list(
        await db.scalars(
            select(Case.id)
            .where(Case.variant == CaseVariant.deep, Case.status == CaseStatus.completed)
            .order_by(Case.id)
        )
    )
    if not cases:
        return
    lists = {
        area: list(
            await db.scalars(
                select(QuestionItem)
                .where(
                    QuestionItem.kind == QuestionList(f"biography_{area}"),
                    QuestionItem.retired_at.is_(None),
                )
                .order_by(QuestionItem.position)
            )
        )
        for area in BiographyArea
    }
    rng = random.Random(SEED)
    rows: list[Any] = []
    for n, case_id in enumerate(cases):
        rows += _card(case_id, n, rng) + _biography(case_id, n, rng, lists) + _star(case_id, rng)
    db.add_all(rows)
    await db.flush()


def _card(case_id: int, n: int, rng: random.Random) -> list[Any]:
    rows: list[Any] = [
        CardSchool(case_id=case_id, name=name, level=level, year_from=a, year_to=b, completed=done)
        for name, level, a, b, done in PATHS[n % len(PATHS)]
    ]
    for name, organiser, hours, outcomes, certificates in rng.sample(COURSES, rng.randint(1, 3)):
        rows.append(
            CardCourse(case_id=case_id, name=name, organiser=organiser, hours=hours,
                       outcomes=outcomes, certificates=certificates)
        )  # fmt: skip
    for employer, form, position, duties, a, b in rng.sample(JOBS, rng.randint(1, 3)):
        rows.append(
            CardJob(case_id=case_id, employer=employer, form=form, position=position,
                    duties=duties, year_from=a, year_to=b)
        )  # fmt: skip
    if rng.random() < 0.6:
        organisation, what = rng.choice(ACTIVITIES)
        rows.append(CardActivity(case_id=case_id, organisation=organisation, what=what))
    rows.append(
        ParticipantCard(case_id=case_id, interests=rng.choice(INTERESTS),
                        other="Prawo jazdy kat. B" if rng.random() < 0.7 else "")
    )  # fmt: skip
    return rows


def _biography(
    case_id: int, n: int, rng: random.Random, lists: dict[BiographyArea, list[QuestionItem]]
) -> list[Any]:
    # every fifth participant refuses the personal part, every seventh interrupts it
    personal = (
        PersonalState.refused
        if n % 5 == 4
        else PersonalState.interrupted
        if n % 7 == 6
        else PersonalState.conducted
    )
    rows: list[Any] = []
    for area in BiographyArea:
        state = personal if area == BiographyArea.personal else None
        note = {
            PersonalState.refused: "Uczestnik nie chciał rozmawiać o życiu prywatnym.",
            PersonalState.interrupted: "Przerwano po dwóch pytaniach: trudny temat rodzinny.",
        }.get(personal, "") if state else ""  # fmt: skip
        minutes = 0 if state == PersonalState.refused else rng.choice([20, 25, 30, 35])
        rows.append(
            BiographyPart(case_id=case_id, area=area, minutes=minutes, state=state,
                          state_note=note, notes="")
        )  # fmt: skip
        if state == PersonalState.refused:
            continue
        asked = 2 if state == PersonalState.interrupted else rng.randint(3, 4)
        answers = sorted(rng.sample(ANSWERS[area], min(asked, len(ANSWERS[area]))))
        for question, answer in ((lists[area][i], a) for i, a in answers if i < len(lists[area])):
            rows.append(
                BiographyAnswer(case_id=case_id, area=area, question_id=question.id,
                                question=question.text, answer=answer)
            )  # fmt: skip
    return rows


def _star(case_id: int, rng: random.Random) -> list[Any]:
    rows: list[Any] = []
    for part, situations in STAR.items():
        for s, t, a, r, competences, documentation, evidence in rng.sample(
            situations, rng.randint(1, len(situations))
        ):
            rows.append(
                StarSituation(case_id=case_id, part=part, situation=s, task=t, action=a, result=r,
                              competences=competences, documentation=documentation,
                              evidence=evidence)
            )  # fmt: skip
    return rows
