"""The demo's documents: every completed deep case was handed its Individual Development Plan
and its feedback document on the day of its summary (version 1, by its counsellor), so the
completion rule holds in the demo and a newcomer sees whole documents; a deep case in the
summary stage has a plan drafted. Content comes from a few believable stories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import WARSAW
from app.records.enums import CaseStatus, CaseVariant
from app.records.models import Case
from scheduling.documents.models import (
    FeedbackDocument,
    IprAction,
    IprAnswer,
    IprDocument,
    IprGoal,
    IprLearningForm,
)
from scheduling.documents.rules import AlternativeKind, GoalKind, LearningForm
from scheduling.record.models import QuestionList
from scheduling.record.questions import active_questions


@dataclass(frozen=True)
class Story:
    aim_scope: str
    goal_kind: GoalKind
    goal: str
    advancement: int
    learning: tuple[tuple[LearningForm, str, str], ...]
    goals: tuple[tuple[AlternativeKind, str], ...]
    actions: tuple[tuple[str, int, str], ...]  # action, days after the summary, who supports
    resources: str
    obstacles: str
    remedies: str
    feedback: tuple[str, str, str, str, str]  # situation .. values and goals (S27)


STORIES = (
    Story(
        aim_scope="Rozpoznanie kompetencji zdobytych w pracy w handlu i wybór kierunku przekwalifikowania; bilans pogłębiony z narzędziami NBK i KZZ.",
        goal_kind=GoalKind.job_change,
        goal="Podjęcie pracy na stanowisku specjalisty ds. logistyki w firmie dystrybucyjnej w Krakowie lub okolicy.",
        advancement=4,
        learning=(
            (
                LearningForm.course,
                "Kurs „Logistyka i spedycja” z certyfikatem",
                "od marca, 3 miesiące",
            ),
            (
                LearningForm.course,
                "Excel dla średnio zaawansowanych (tabele przestawne)",
                "do końca kwietnia",
            ),
            (
                LearningForm.self_study,
                "Język angielski – słownictwo branżowe, 3 godziny w tygodniu",
                "na bieżąco",
            ),
        ),
        goals=(
            (
                AlternativeKind.intermediate,
                "Przejście na stanowisko kierownika zmiany w obecnym sklepie (koordynacja dostaw).",
            ),
            (AlternativeKind.alternative, "Praca w dziale zaopatrzenia firmy produkcyjnej."),
        ),
        actions=(
            (
                "Zapis na kurs logistyki przez Bazę Usług Rozwojowych (bon szkoleniowy)",
                21,
                "doradca, BUR",
            ),
            (
                "Aktualizacja CV i profilu zawodowego z opisem kompetencji z Karty Bilansu",
                30,
                "doradca",
            ),
            ("Rozmowa z przełożonym o udziale w przyjmowaniu dostaw", 45, "przełożony"),
            (
                "Wysłanie co najmniej 10 aplikacji do firm logistycznych",
                120,
                "powiatowy urząd pracy",
            ),
        ),
        resources="Doświadczenie w obsłudze dostaw i inwentaryzacji, dokładność, komunikatywność, prawo jazdy kat. B.",
        obstacles="Praca zmianowa utrudnia udział w zajęciach; obawa przed egzaminem końcowym.",
        remedies="Wybór kursu w trybie weekendowym, ustalenie grafiku z przełożonym, powtórki w małych porcjach.",
        feedback=(
            "Wykształcenie średnie handlowe. Od 9 lat sprzedawca i zastępca kierownika sklepu; zatrudnienie na umowę o pracę.",
            "Zainteresowania przedsiębiorcze i konwencjonalne (KZZ): porządkowanie, planowanie, praca z danymi. Predyspozycje do pracy zespołowej.",
            "Organizacja pracy własnej i zespołu, obsługa klienta, odpowiedzialność materialna, podstawy obsługi programów magazynowych.",
            "Planowanie logistyczne, zaawansowana obsługa arkusza kalkulacyjnego, język angielski w komunikacji zawodowej.",
            "Stabilność zatrudnienia, rozwój i uznanie. Aspiracja: praca biurowa w logistyce w ciągu roku.",
        ),
    ),
    Story(
        aim_scope="Przygotowanie powrotu na rynek pracy po przerwie związanej z opieką nad dziećmi; bilans pogłębiony z kotwicami kariery Scheina.",
        goal_kind=GoalKind.employment,
        goal="Zatrudnienie w administracji biurowej (sekretariat, obsługa klienta) w pełnym lub 3/4 wymiaru czasu pracy.",
        advancement=5,
        learning=(
            (
                LearningForm.training,
                "Szkolenie „Obsługa komputera i pakietu biurowego”",
                "maj–czerwiec",
            ),
            (LearningForm.exam, "Egzamin ECDL / ICDL – moduły podstawowe", "do końca czerwca"),
            (
                LearningForm.internship,
                "Staż w urzędzie gminy przez powiatowy urząd pracy",
                "od września",
            ),
        ),
        goals=(
            (
                AlternativeKind.intermediate,
                "Praca sezonowa w biurze obsługi klienta, aby odnowić doświadczenie.",
            ),
        ),
        actions=(
            ("Złożenie wniosku o bon szkoleniowy na szkolenie komputerowe", 14, "doradca"),
            ("Rejestracja w powiatowym urzędzie pracy i pytanie o staże", 30, "PUP"),
            ("Przygotowanie listu motywacyjnego i próbnej rozmowy kwalifikacyjnej", 60, "doradca"),
        ),
        resources="Doświadczenie w organizacji wydarzeń szkolnych, dobra organizacja czasu, uprzejmość w kontakcie.",
        obstacles="Opieka nad dziećmi po południu; brak aktualnego doświadczenia zawodowego.",
        remedies="Szukanie ofert w godzinach porannych; wolontariat w bibliotece jako świeże doświadczenie.",
        feedback=(
            "Wykształcenie policealne (technik administracji). 6 lat pracy w sekretariacie, potem 5 lat przerwy w zatrudnieniu.",
            "Zainteresowania społeczne i biurowe; kotwica kariery: styl życia i bezpieczeństwo.",
            "Organizacja dokumentów, obsługa interesantów, planowanie, praca pod presją czasu w domu i szkole.",
            "Aktualna obsługa programów biurowych i systemów elektronicznego obiegu dokumentów, autoprezentacja.",
            "Godzenie pracy z rodziną, poczucie przydatności. Cel: stała praca w biurze w ciągu 6 miesięcy.",
        ),
    ),
    Story(
        aim_scope="Ocena szans na awans i zaplanowanie nauki potrzebnej na stanowisku brygadzisty; bilans pogłębiony z testem NBK.",
        goal_kind=GoalKind.position_change,
        goal="Awans na stanowisko brygadzisty produkcji w obecnym zakładzie w ciągu 12 miesięcy.",
        advancement=6,
        learning=(
            (
                LearningForm.training,
                "Szkolenie „Zarządzanie zespołem dla liderów produkcji”",
                "jesień",
            ),
            (LearningForm.exam, "Uprawnienia SEP do 1 kV (egzamin)", "do grudnia"),
            (
                LearningForm.postgraduate,
                "Studia podyplomowe z zarządzania produkcją (do rozważenia)",
                "od października przyszłego roku",
            ),
        ),
        goals=(
            (
                AlternativeKind.alternative,
                "Stanowisko technologa lub kontrolera jakości w innym zakładzie.",
            ),
        ),
        actions=(
            ("Rozmowa z kierownikiem działu o ścieżce awansu", 10, "kierownik działu"),
            ("Zapis na egzamin SEP", 40, "dział kadr"),
            ("Prowadzenie wdrożenia nowego pracownika jako próba roli lidera", 90, "brygadzista"),
        ),
        resources="15 lat doświadczenia na produkcji, znajomość maszyn, szacunek współpracowników.",
        obstacles="Brak doświadczenia w kierowaniu ludźmi; stres przy wystąpieniach.",
        remedies="Szkolenie z przywództwa, mentoring brygadzisty, stopniowe przejmowanie zadań.",
        feedback=(
            "Wykształcenie zasadnicze zawodowe (mechanik), kursy BHP i obsługi wózków. Operator maszyn od 15 lat.",
            "Zainteresowania realistyczne i badawcze: technika, naprawy, usprawnianie procesów.",
            "Obsługa i diagnostyka maszyn, bezpieczeństwo pracy, rzetelność, przekazywanie wiedzy młodszym.",
            "Kierowanie zespołem, rozwiązywanie konfliktów, dokumentacja produkcji.",
            "Odpowiedzialność i uznanie. Cel: stanowisko brygadzisty, później kierownika zmiany.",
        ),
    ),
)


COMMON_ANSWERS = {
    "Kto może Cię wspierać w realizacji celu?": "Rodzina, doradca zawodowy z WUP, doradca w powiatowym urzędzie pracy.",
    "Jakich zasobów (czasu, pieniędzy) będziesz potrzebować?": "Około 6 godzin w tygodniu przez pół roku; koszt szkoleń z bonem szkoleniowym (udział własny 13%).",
    "Po czym poznasz, że robisz postępy?": "Ukończone szkolenia z certyfikatem, zaproszenia na rozmowy kwalifikacyjne, nowe zadania w pracy.",
    "Co zrobisz, jeśli plan się nie powiedzie?": "Wrócę do celu alternatywnego i umówię konsultację z doradcą, aby zmienić scenariusz.",
}


def _answers(story: Story, questions: list[tuple[int, str]]) -> list[IprAnswer]:
    known = {
        **COMMON_ANSWERS,
        "Jakie zasoby kompetencyjne już posiadasz?": story.resources,
        "Jakie mogą pojawić się przeszkody?": story.obstacles,
        "Jak można je zminimalizować?": story.remedies,
        "Jaki będzie Twój pierwszy krok i kiedy go zrobisz?": f"{story.actions[0][0]} – w ciągu {story.actions[0][1]} dni.",
    }
    return [
        IprAnswer(
            position=i, question_id=qid, question=text,
            answer=known.get(text, "Omówione na spotkaniu podsumowującym; szczegóły w scenariuszu działań."),
        )
        for i, (qid, text) in enumerate(questions)
    ]  # fmt: skip


def _ipr(
    story: Story, case: Case, version: int, on: date, questions: list[tuple[int, str]]
) -> IprDocument:
    ipr = IprDocument(
        case_id=case.id, version=version, aim_scope=story.aim_scope, goal_kind=story.goal_kind,
        goal=story.goal, advancement=story.advancement,
    )  # fmt: skip
    ipr.learning_forms = [IprLearningForm(position=i, form=f, what=w, term=t) for i, (f, w, t) in enumerate(story.learning)]  # fmt: skip
    ipr.goals = [IprGoal(position=i, kind=k, text=t) for i, (k, t) in enumerate(story.goals)]
    ipr.actions = [
        IprAction(position=i, action=a, by_when=on + timedelta(days=d), supports=s)
        for i, (a, d, s) in enumerate(story.actions)
    ]
    ipr.answers = _answers(story, questions)
    return ipr


def _feedback(story: Story, case: Case, version: int) -> FeedbackDocument:
    situation, interests, held, develop, values = story.feedback
    scope = f"{story.aim_scope}\n\nCel ({story.goal_kind.label}): {story.goal}"
    return FeedbackDocument(
        case_id=case.id, version=version, scope_goal=scope, situation=situation,
        interests=interests, competences_held=held, competences_to_develop=develop,
        values_goals=values,
    )  # fmt: skip


async def load_demo(db: AsyncSession, now: datetime) -> None:
    """Documents for the demo's deep cases (after the case stories)."""
    questions = [(q.id, q.text) for q in await active_questions(db, QuestionList.ipr_scenario)]
    cases = await db.scalars(
        select(Case)
        .where(Case.variant == CaseVariant.deep)
        .where(Case.status.in_((CaseStatus.completed, CaseStatus.summary)))
        .order_by(Case.id)
    )
    for case in cases:
        story = STORIES[case.id % len(STORIES)]
        if case.status is CaseStatus.completed and case.closed_on is not None:
            at = datetime.combine(case.closed_on, time(13, 0), WARSAW)
            for doc in (_ipr(story, case, 1, case.closed_on, questions), _feedback(story, case, 1)):
                doc.handed_over_at, doc.handed_over_by_id = at, case.counsellor_id
                doc.created_at = doc.updated_at = at
                db.add(doc)
        elif case.status is CaseStatus.summary:
            draft = _ipr(story, case, 0, now.astimezone(WARSAW).date(), questions)
            draft.created_at = draft.updated_at = now
            db.add(draft)
    await db.commit()
