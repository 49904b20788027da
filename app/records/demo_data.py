"""Demo data for ``bilans demo``: offices, districts, duty places, staff and participants.

Pure data, no database: the loader turns these records into rows. Districts carry their real TERYT
powiat codes and approximate seat coordinates; each is covered by its nearest office (straight-line
distance). Places are real-looking public buildings with invented details. Everything personal
(names, e-mails, phones) is made up; e-mail domains are reserved example domains.

Duty cadence: every district keeps at least one place with a duty every two weeks (its seat, as a
coordinator would plan it), so "every district about every two weeks" holds. In the districts
with two or three places, the smaller places (a town hall, a school, a smaller library or
culture centre outside the seat) hold a duty every four weeks (``cadence_days=28``): fewer people
come there, and a coordinator would not send a counsellor to each of them as often as to the
district seat. Kraków's two city places and Andrychów (a town larger than its district seat)
stay fortnightly: 12 places every four weeks, 24 every two. This also lets one counsellor own
whole places: a year then holds 780 duties, a full-time counsellor's fair share is 51.7, so 52
duties (4 x 13 windows, e.g. two fortnightly places) are whole places, where 26-window places
alone would force every counsellor's load to be shared with others (with all places every two
weeks the full-time share is 62.1, and 62 is not made of whole places; the best possible
continuity is then about 1.4 counsellors per place). The rota benchmark reports both.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from app.calendar import WeeklyWindow, age_on
from app.records.enums import CaseStatus, CaseVariant, Education, Employment, RegionLink


@dataclass(frozen=True, slots=True)
class OfficeSeed:
    code: str  # "krakow" | "tarnow" | "nowy-sacz"
    name: str
    address: str
    town: str
    lat: float
    lon: float
    is_head: bool
    rooms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DistrictSeed:
    teryt: str  # 4-digit TERYT powiat code
    name: str  # "bocheński", ..., "Kraków"
    seat: str  # seat town of the district authority
    lat: float
    lon: float
    office_code: str  # nearest office covers it


@dataclass(frozen=True, slots=True)
class PlaceSeed:
    key: str  # slug, unique
    name: str
    kind: str  # "municipal_office" | "library" | "school" | "culture_centre" | "other"
    address: str
    town: str
    district_teryt: str
    lat: float
    lon: float
    step_free: bool
    windows: tuple[WeeklyWindow, ...]  # allowed duty windows
    cadence_days: int = 14
    tolerance_days: int = 2


@dataclass(frozen=True, slots=True)
class CounsellorSeed:
    email: str
    first_name: str
    last_name: str
    office_code: str
    share: float  # working-time share, 1.0 = full time
    intern_until_offset_days: int | None  # internship end = load day + offset; None = not an intern
    delegation_offset_days: tuple[int, int] | None  # delegation from/to = load day + offsets
    availability: tuple[WeeklyWindow, ...]  # weekly availability incl. evenings and Saturdays


@dataclass(frozen=True, slots=True)
class StaffSeed:
    """The head of unit (the coordinator counsels too, so she is a :class:`CounsellorSeed`)."""

    email: str
    first_name: str
    last_name: str
    office_code: str


@dataclass(frozen=True, slots=True)
class ParticipantSeed:
    first_name: str
    last_name: str
    email: str
    phone: str
    birth_date: date
    education: Education
    employment: Employment
    region_link: RegionLink
    case_code: str  # "BK-2027-00042": year of opening and a running number within that year
    variant: CaseVariant
    status: CaseStatus
    opened: date
    closed: date | None  # set for completed and cancelled cases
    counsellor_email: str


DEMO_PASSWORD = (
    "demo-bilans-2027"  # demo only: printed by `bilans serve --demo`, never for production
)

# --- offices -------------------------------------------------------------------------------------

OFFICES: tuple[OfficeSeed, ...] = (
    OfficeSeed(
        code="krakow",
        name="Biuro w Krakowie",
        address="Plac Na Stawach 1, 30-107 Kraków",
        town="Kraków",
        lat=50.0573,
        lon=19.9186,
        is_head=True,
        rooms=("Pokój 101", "Pokój 102", "Pokój 103", "Pokój 104", "Sala szkoleniowa"),
    ),
    OfficeSeed(
        code="tarnow",
        name="Biuro w Tarnowie",
        address="ul. Bernardyńska 13, 33-100 Tarnów",
        town="Tarnów",
        lat=50.0117,
        lon=20.9905,
        is_head=False,
        rooms=("Pokój 12", "Pokój 14"),
    ),
    OfficeSeed(
        code="nowy-sacz",
        name="Biuro w Nowym Sączu",
        address="ul. Węgierska 146, 33-300 Nowy Sącz",
        town="Nowy Sącz",
        lat=49.6028,
        lon=20.7019,
        is_head=False,
        rooms=("Pokój 21", "Pokój 22", "Pokój 23"),
    ),
)

# --- districts (powiaty) -------------------------------------------------------------------------
# Coordinates are the seat of the district authority (starostwo); for the land districts seated in
# a city (krakowski, nowosądecki, tarnowski) that is the starostwo's building in that city.

DISTRICTS: tuple[DistrictSeed, ...] = (
    DistrictSeed("1201", "bocheński", "Bochnia", 49.9690, 20.4303, "krakow"),
    DistrictSeed("1202", "brzeski", "Brzesko", 49.9691, 20.6082, "tarnow"),
    DistrictSeed("1203", "chrzanowski", "Chrzanów", 50.1355, 19.4024, "krakow"),
    DistrictSeed("1204", "dąbrowski", "Dąbrowa Tarnowska", 50.1747, 20.9866, "tarnow"),
    DistrictSeed("1205", "gorlicki", "Gorlice", 49.6548, 21.1596, "nowy-sacz"),
    DistrictSeed("1206", "krakowski", "Kraków", 50.0697, 19.9262, "krakow"),
    DistrictSeed("1207", "limanowski", "Limanowa", 49.7058, 20.4224, "nowy-sacz"),
    DistrictSeed("1208", "miechowski", "Miechów", 50.3567, 20.0276, "krakow"),
    DistrictSeed("1209", "myślenicki", "Myślenice", 49.8339, 19.9383, "krakow"),
    DistrictSeed("1210", "nowosądecki", "Nowy Sącz", 49.6252, 20.6892, "nowy-sacz"),
    DistrictSeed("1211", "nowotarski", "Nowy Targ", 49.4776, 20.0324, "nowy-sacz"),
    DistrictSeed("1212", "olkuski", "Olkusz", 50.2813, 19.5650, "krakow"),
    DistrictSeed("1213", "oświęcimski", "Oświęcim", 50.0344, 19.2098, "krakow"),
    DistrictSeed("1214", "proszowicki", "Proszowice", 50.1929, 20.2896, "krakow"),
    DistrictSeed("1215", "suski", "Sucha Beskidzka", 49.7403, 19.5887, "krakow"),
    DistrictSeed("1216", "tarnowski", "Tarnów", 50.0165, 20.9745, "tarnow"),
    DistrictSeed("1217", "tatrzański", "Zakopane", 49.2992, 19.9496, "nowy-sacz"),
    DistrictSeed("1218", "wadowicki", "Wadowice", 49.8833, 19.4932, "krakow"),
    DistrictSeed("1219", "wielicki", "Wieliczka", 49.9871, 20.0647, "krakow"),
    DistrictSeed("1261", "Kraków", "Kraków", 50.0614, 19.9366, "krakow"),
    DistrictSeed("1262", "Nowy Sącz", "Nowy Sącz", 49.6218, 20.6970, "nowy-sacz"),
    DistrictSeed("1263", "Tarnów", "Tarnów", 50.0121, 20.9858, "tarnow"),
)

# --- duty places ---------------------------------------------------------------------------------
# Weekday windows: evenings after typical working hours, Saturdays in the morning.

MON, TUE, WED, THU, FRI, SAT = range(6)


def _w(weekday: int, start: str, end: str) -> WeeklyWindow:
    return WeeklyWindow(weekday, time.fromisoformat(start), time.fromisoformat(end))


TUE_THU_SAT = (_w(TUE, "15:00", "19:00"), _w(THU, "15:00", "19:00"), _w(SAT, "09:00", "14:00"))
MON_WED = (_w(MON, "15:00", "19:00"), _w(WED, "15:00", "19:00"))
WED_SAT = (_w(WED, "14:00", "19:00"), _w(SAT, "09:00", "14:00"))
TUE_FRI = (_w(TUE, "16:00", "19:00"), _w(FRI, "14:00", "18:00"))
MON_THU_SAT = (_w(MON, "15:00", "19:00"), _w(THU, "15:00", "19:00"), _w(SAT, "09:00", "13:00"))
THU_ONLY = (_w(THU, "14:00", "19:00"),)
SAT_ONLY = (_w(SAT, "09:00", "14:00"),)


def _place(
    key: str,
    name: str,
    kind: str,
    address: str,
    town: str,
    teryt: str,
    lat: float,
    lon: float,
    windows: tuple[WeeklyWindow, ...],
    *,
    step_free: bool = True,
    cadence_days: int = 14,
) -> PlaceSeed:
    return PlaceSeed(
        key, name, kind, address, town, teryt, lat, lon, step_free, windows, cadence_days
    )


PLACES: tuple[PlaceSeed, ...] = (
    # 1201 bocheński
    _place("bochnia-mbp", "Miejska Biblioteka Publiczna w Bochni", "library",
           "ul. Kazimierza Wielkiego 31, 32-700 Bochnia", "Bochnia", "1201",
           49.9695, 20.4296, TUE_THU_SAT),
    _place("nowy-wisnicz-um", "Urząd Miejski w Nowym Wiśniczu", "municipal_office",
           "Rynek 14, 32-720 Nowy Wiśnicz", "Nowy Wiśnicz", "1201",
           49.9163, 20.4652, SAT_ONLY, step_free=False, cadence_days=28),
    # 1202 brzeski
    _place("brzesko-bck", "Brzeskie Centrum Kultury", "culture_centre",
           "ul. Mickiewicza 21, 32-800 Brzesko", "Brzesko", "1202",
           49.9678, 20.6071, MON_WED),
    # 1203 chrzanowski
    _place("chrzanow-mbp", "Miejska Biblioteka Publiczna w Chrzanowie", "library",
           "ul. Broniewskiego 4, 32-500 Chrzanów", "Chrzanów", "1203",
           50.1388, 19.4041, TUE_THU_SAT),
    _place("trzebinia-mok", "Miejski Ośrodek Kultury w Trzebini", "culture_centre",
           "ul. Harcerska 5, 32-540 Trzebinia", "Trzebinia", "1203",
           50.1592, 19.4718, MON_WED, cadence_days=28),
    # 1204 dąbrowski
    _place("dabrowa-tarnowska-um", "Urząd Miejski w Dąbrowie Tarnowskiej", "municipal_office",
           "ul. Berka Joselewicza 5, 33-200 Dąbrowa Tarnowska", "Dąbrowa Tarnowska", "1204",
           50.1742, 20.9858, WED_SAT),
    # 1205 gorlicki
    _place("gorlice-gck", "Gorlickie Centrum Kultury", "culture_centre",
           "ul. Michalusa 4, 38-300 Gorlice", "Gorlice", "1205",
           49.6561, 21.1603, TUE_THU_SAT),
    # 1206 krakowski
    _place("skawina-ckis", "Centrum Kultury i Sportu w Skawinie", "culture_centre",
           "ul. Żwirki i Wigury 11, 32-050 Skawina", "Skawina", "1206",
           49.9752, 19.8279, MON_THU_SAT),
    _place("krzeszowice-bp", "Biblioteka Publiczna Gminy Krzeszowice", "library",
           "ul. Grunwaldzka 4, 32-065 Krzeszowice", "Krzeszowice", "1206",
           50.1373, 19.6327, MON_WED, step_free=False, cadence_days=28),
    _place("slomniki-um", "Urząd Miejski w Słomnikach", "municipal_office",
           "ul. Kościuszki 64, 32-090 Słomniki", "Słomniki", "1206",
           50.2398, 20.0859, SAT_ONLY, cadence_days=28),
    # 1207 limanowski
    _place("limanowa-mbp", "Miejska Biblioteka Publiczna w Limanowej", "library",
           "ul. Józefa Marka 19, 34-600 Limanowa", "Limanowa", "1207",
           49.7061, 20.4239, TUE_THU_SAT),
    _place("mszana-dolna-zs", "Zespół Szkół w Mszanie Dolnej", "school",
           "ul. Piłsudskiego 1, 34-730 Mszana Dolna", "Mszana Dolna", "1207",
           49.6752, 20.0796, WED_SAT, cadence_days=28),
    # 1208 miechowski
    _place("miechow-mok", "Miechowski Ośrodek Kultury", "culture_centre",
           "ul. Racławicka 7, 32-200 Miechów", "Miechów", "1208",
           50.3571, 20.0302, THU_ONLY),
    # 1209 myślenicki
    _place("myslenice-mgbp", "Miejsko-Gminna Biblioteka Publiczna w Myślenicach", "library",
           "ul. Piłsudskiego 28, 32-400 Myślenice", "Myślenice", "1209",
           49.8347, 19.9392, TUE_THU_SAT),
    # 1210 nowosądecki
    _place("stary-sacz-mgok", "Miejsko-Gminny Ośrodek Kultury w Starym Sączu", "culture_centre",
           "ul. Batorego 21, 33-340 Stary Sącz", "Stary Sącz", "1210",
           49.5634, 20.6366, TUE_THU_SAT, step_free=False),
    _place("krynica-ug", "Urząd Gminy Krynica-Zdrój", "municipal_office",
           "ul. Kraszewskiego 7, 33-380 Krynica-Zdrój", "Krynica-Zdrój", "1210",
           49.4213, 20.9594, WED_SAT, cadence_days=28),
    # 1211 nowotarski
    _place("nowy-targ-mbp", "Miejska Biblioteka Publiczna w Nowym Targu", "library",
           "ul. Krzywa 1, 34-400 Nowy Targ", "Nowy Targ", "1211",
           49.4781, 20.0317, TUE_THU_SAT),
    _place("rabka-um", "Urząd Miejski w Rabce-Zdroju", "municipal_office",
           "ul. Parkowa 2, 34-700 Rabka-Zdrój", "Rabka-Zdrój", "1211",
           49.6092, 19.9662, TUE_FRI, cadence_days=28),
    # 1212 olkuski
    _place("olkusz-mok", "Miejski Ośrodek Kultury w Olkuszu", "culture_centre",
           "ul. Szpitalna 32, 32-300 Olkusz", "Olkusz", "1212",
           50.2804, 19.5621, MON_THU_SAT),
    _place("wolbrom-umig", "Urząd Miasta i Gminy Wolbrom", "municipal_office",
           "ul. Krakowska 1, 32-340 Wolbrom", "Wolbrom", "1212",
           50.3798, 19.7603, SAT_ONLY, cadence_days=28),
    # 1213 oświęcimski
    _place("oswiecim-ock", "Oświęcimskie Centrum Kultury", "culture_centre",
           "ul. Śniadeckiego 24, 32-600 Oświęcim", "Oświęcim", "1213",
           50.0398, 19.2212, TUE_THU_SAT),
    _place("kety-mbp", "Miejska Biblioteka Publiczna w Kętach", "library",
           "ul. Żwirki i Wigury 2, 32-650 Kęty", "Kęty", "1213",
           49.8829, 19.2228, MON_WED, cadence_days=28),
    # 1214 proszowicki
    _place("proszowice-um", "Urząd Miejski w Proszowicach", "municipal_office",
           "ul. 3 Maja 72, 32-100 Proszowice", "Proszowice", "1214",
           50.1927, 20.2889, WED_SAT),
    # 1215 suski
    _place("sucha-mbp", "Miejska Biblioteka Publiczna w Suchej Beskidzkiej", "library",
           "ul. Mickiewicza 19, 34-200 Sucha Beskidzka", "Sucha Beskidzka", "1215",
           49.7412, 19.5951, TUE_FRI),
    # 1216 tarnowski
    _place("tuchow-tck", "Tuchowskie Centrum Kultury", "culture_centre",
           "ul. Chopina 10, 33-170 Tuchów", "Tuchów", "1216",
           49.8953, 21.0545, TUE_THU_SAT),
    _place("zabno-um", "Urząd Miejski w Żabnie", "municipal_office",
           "ul. Władysława Jagiełły 1, 33-240 Żabno", "Żabno", "1216",
           50.1323, 20.8872, MON_WED, step_free=False, cadence_days=28),
    _place("ryglice-zs", "Zespół Szkół w Ryglicach", "school",
           "ul. Kościuszki 14, 33-160 Ryglice", "Ryglice", "1216",
           49.8781, 21.1397, WED_SAT, cadence_days=28),
    # 1217 tatrzański
    _place("zakopane-mbp", "Miejska Biblioteka Publiczna w Zakopanem", "library",
           "ul. Kościuszki 2, 34-500 Zakopane", "Zakopane", "1217",
           49.2970, 19.9541, TUE_THU_SAT),
    # 1218 wadowicki
    _place("wadowice-wck", "Wadowickie Centrum Kultury", "culture_centre",
           "ul. Lwowska 1, 34-100 Wadowice", "Wadowice", "1218",
           49.8835, 19.4927, MON_THU_SAT),
    _place("andrychow-ackis", "Andrychowskie Centrum Kultury i Sztuki", "culture_centre",
           "ul. Starowiejska 1, 34-120 Andrychów", "Andrychów", "1218",
           49.8547, 19.3398, WED_SAT),
    # 1219 wielicki
    _place("wieliczka-bp", "Biblioteka Publiczna w Wieliczce", "library",
           "ul. Szpunara 1, 32-020 Wieliczka", "Wieliczka", "1219",
           49.9866, 20.0612, TUE_THU_SAT),
    _place("niepolomice-umig", "Urząd Miasta i Gminy Niepołomice", "municipal_office",
           "Plac Zwycięstwa 13, 32-005 Niepołomice", "Niepołomice", "1219",
           50.0339, 20.2182, MON_WED, cadence_days=28),
    # 1261 Kraków
    _place("krakow-nck", "Nowohuckie Centrum Kultury", "culture_centre",
           "al. Jana Pawła II 232, 31-913 Kraków", "Kraków", "1261",
           50.0727, 20.0107, TUE_FRI),
    _place("krakow-podgorze", "Centrum Kultury Podgórza", "culture_centre",
           "ul. Sokolska 13, 30-510 Kraków", "Kraków", "1261",
           50.0446, 19.9505, WED_SAT),
    # 1262 Nowy Sącz
    _place("nowy-sacz-sbp", "Sądecka Biblioteka Publiczna", "library",
           "ul. Franciszkańska 11, 33-300 Nowy Sącz", "Nowy Sącz", "1262",
           49.6233, 20.6936, MON_THU_SAT),
    # 1263 Tarnów
    _place("tarnow-mbp", "Miejska Biblioteka Publiczna w Tarnowie", "library",
           "ul. Józefa Szujskiego 11, 33-100 Tarnów", "Tarnów", "1263",
           50.0142, 20.9887, TUE_FRI),
)  # fmt: skip

# --- staff ---------------------------------------------------------------------------------------

_WEEKDAYS_8_19 = tuple(_w(day, "08:00", "19:00") for day in (MON, TUE, WED, THU, FRI))
_SATURDAY = (_w(SAT, "09:00", "14:00"),)
FULL_WEEK = _WEEKDAYS_8_19 + _SATURDAY
WEEKDAYS_ONLY = _WEEKDAYS_8_19
# No evenings on Monday and Friday (school pick-up), Saturdays fine.
NO_MON_FRI_EVENINGS = (
    _w(MON, "08:00", "16:00"),
    _w(TUE, "08:00", "19:00"),
    _w(WED, "08:00", "19:00"),
    _w(THU, "08:00", "19:00"),
    _w(FRI, "08:00", "16:00"),
    *_SATURDAY,
)
# Three-quarter time: Monday to Thursday plus Saturday.
MON_THU_PLUS_SATURDAY = tuple(_w(day, "08:00", "19:00") for day in (MON, TUE, WED, THU)) + _SATURDAY
# Half time: afternoons and evenings on Tuesday, Wednesday and Thursday.
HALF_TIME_EVENINGS = tuple(_w(day, "12:00", "19:00") for day in (TUE, WED, THU))


def _c(
    email_local: str,
    first: str,
    last: str,
    office: str,
    availability: tuple[WeeklyWindow, ...] = FULL_WEEK,
    *,
    share: float = 1.0,
    intern_days: int | None = None,
    delegation: tuple[int, int] | None = None,
) -> CounsellorSeed:
    return CounsellorSeed(
        f"{email_local}@bilans.example", first, last, office, share, intern_days, delegation,
        availability,
    )  # fmt: skip


COUNSELLORS: tuple[CounsellorSeed, ...] = (
    # Kraków: 9
    _c("anna.nowak", "Anna", "Nowak", "krakow"),
    _c("piotr.kowalski", "Piotr", "Kowalski", "krakow"),
    _c("magdalena.wisniewska", "Magdalena", "Wiśniewska", "krakow", NO_MON_FRI_EVENINGS),
    _c("tomasz.wojcik", "Tomasz", "Wójcik", "krakow", delegation=(30, 91)),
    _c("agnieszka.kaminska", "Agnieszka", "Kamińska", "krakow", MON_THU_PLUS_SATURDAY, share=0.75),
    _c("michal.lewandowski", "Michał", "Lewandowski", "krakow", intern_days=120),
    _c("joanna.zielinska", "Joanna", "Zielińska", "krakow", WEEKDAYS_ONLY),
    _c("krzysztof.szymanski", "Krzysztof", "Szymański", "krakow"),
    _c("ewa.dabrowska", "Ewa", "Dąbrowska", "krakow", HALF_TIME_EVENINGS, share=0.5),
    # Nowy Sącz: 4
    _c("stanislaw.kozielec", "Stanisław", "Kozielec", "nowy-sacz"),
    _c("barbara.gorska", "Barbara", "Górska", "nowy-sacz", NO_MON_FRI_EVENINGS),
    _c("lukasz.mrozek", "Łukasz", "Mrozek", "nowy-sacz", intern_days=200),
    _c("katarzyna.hebda", "Katarzyna", "Hebda", "nowy-sacz", WEEKDAYS_ONLY),
    # Tarnów: 3
    _c("marek.nowicki", "Marek", "Nowicki", "tarnow"),
    _c("aleksandra.pawlik", "Aleksandra", "Pawlik", "tarnow"),
    _c("grzegorz.sroka", "Grzegorz", "Sroka", "tarnow", NO_MON_FRI_EVENINGS),
)

# The coordinator is a counsellor too (S52): she runs cases and holds duties on half of her time
# (the rest goes to the rota, supervision and training), on weekdays, evenings included.
COORDINATOR = _c("dorota.malinowska", "Dorota", "Malinowska", "krakow", WEEKDAYS_ONLY, share=0.5)
HEAD = StaffSeed("jan.pietrzak@bilans.example", "Jan", "Pietrzak", "krakow")

# --- participants --------------------------------------------------------------------------------

DEEP_SHARE = 0.13  # about 13% of participants choose the deep variant (seed)

_FEMALE_FIRST = (
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Elżbieta", "Zofia", "Joanna", "Monika", "Beata", "Renata", "Iwona", "Halina", "Dorota",
    "Justyna", "Marta", "Aneta",
)  # fmt: skip
_MALE_FIRST = (
    "Jan", "Andrzej", "Piotr", "Krzysztof", "Stanisław", "Tomasz", "Paweł", "Józef", "Marcin",
    "Marek", "Michał", "Grzegorz", "Jerzy", "Tadeusz", "Adam", "Łukasz", "Zbigniew", "Ryszard",
    "Dariusz", "Wojciech",
)  # fmt: skip
# Surname stems: (masculine, feminine).
_SURNAMES = (
    ("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"),
    ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"),
    ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"),
    ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"), ("Kozłowski", "Kozłowska"),
    ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"),
    ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"),
    ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"), ("Król", "Król"),
    ("Wieczorek", "Wieczorek"), ("Jabłoński", "Jabłońska"), ("Wróbel", "Wróbel"),
    ("Nowakowski", "Nowakowska"), ("Majewski", "Majewska"), ("Olszewski", "Olszewska"),
    ("Stępień", "Stępień"), ("Malinowski", "Malinowska"), ("Jaworski", "Jaworska"),
    ("Gąsior", "Gąsior"), ("Bieniek", "Bieniek"), ("Kurek", "Kurek"), ("Trojan", "Trojan"),
    ("Sowa", "Sowa"), ("Mucha", "Mucha"), ("Gawron", "Gawron"), ("Siwiec", "Siwiec"),
)  # fmt: skip
_MAIL_DOMAINS = ("example.com", "example.net", "example.org")

_LOW_EDUCATION = (
    Education.PRIMARY,
    Education.LOWER_SECONDARY,
    Education.BASIC_VOCATIONAL,
    Education.SECONDARY,
)
_LOW_EDUCATION_WEIGHTS = (4, 6, 35, 55)
_ANY_EDUCATION_WEIGHTS = (4, 3, 30, 35, 12, 16)  # in Education order
_EMPLOYMENT_WEIGHTS = (70, 12, 12, 6)  # in Employment order
_REGION_LINK_WEIGHTS = (85, 12, 3)  # in RegionLink order


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()


def _birth_date_for_age(rng: random.Random, on: date, low: int, high: int) -> date:
    """A birth date making the person between ``low`` and ``high`` completed years old on ``on``."""
    while True:
        years = rng.randint(low, high)
        candidate = date(on.year - years - 1, 1, 1) + timedelta(days=rng.randint(0, 729))
        if low <= age_on(candidate, on) <= high:
            return candidate


def _outcome(
    rng: random.Random, variant: CaseVariant, opened: date, today: date
) -> tuple[CaseStatus, date | None]:
    """How a demo case stands today: most older ones completed, a few cancelled, the rest open."""
    age_of_case = (today - opened).days
    longest = 180 if variant is CaseVariant.deep else 60
    roll = rng.random()
    if age_of_case > 21 and roll < 0.75:
        return CaseStatus.completed, opened + timedelta(
            days=rng.randint(7, min(longest, age_of_case))
        )
    if roll > 0.93:
        return CaseStatus.cancelled, opened + timedelta(days=rng.randint(0, min(30, age_of_case)))
    return CaseStatus.open, None


def _contact(rng: random.Random, first: str, last: str, used: set[str]) -> tuple[str, str]:
    """A unique made-up e-mail address and a mobile number."""
    local = f"{_ascii(first)}.{_ascii(last)}"
    email = f"{local}@{rng.choice(_MAIL_DOMAINS)}"
    suffix = 2
    while email in used:
        email = f"{local}{suffix}@{email.split('@')[1]}"
        suffix += 1
    used.add(email)
    phone = f"+48 {rng.choice('5678')}{rng.randint(0, 99):02d} {rng.randint(0, 999):03d} "
    return email, phone + f"{rng.randint(0, 999):03d}"


def demo_participants(seed: int, today: date, n: int = 300) -> list[ParticipantSeed]:
    """``n`` made-up participants with one case each, the same for the same ``seed`` and ``today``.

    Cases open within the year before ``today``; every participant is eligible on the day their
    case opened: 25-50 years old with at most secondary education, or over 50 with any education
    (ages kept a year clear of the band edges, so the demo never hinges on a boundary).
    ``round(n * 13%)`` cases are deep, mostly older participants. Completed and cancelled cases
    carry a closing date not after ``today``; deep cases close within six months.
    """
    rng = random.Random(seed)
    deep_count = round(n * DEEP_SHARE)
    older_count = round(n * 0.3)
    # Deep cases go mostly to people over 50 ("usually older people", seed).
    older = set(rng.sample(range(n), older_count))
    older_list = sorted(older)
    younger_list = [i for i in range(n) if i not in older]
    deep_from_older = min(len(older_list), round(deep_count * 0.6))
    deep = set(rng.sample(older_list, deep_from_older))
    deep |= set(rng.sample(younger_list, deep_count - deep_from_older))

    counsellors = list(COUNSELLORS)
    weights = [c.share for c in counsellors]
    # The coordinator's cases (S52), by her share among everybody's, drawn from a stream of
    # their own, so the counsellors' draws are the same with her as without her.
    coordinator_odds = COORDINATOR.share / (sum(weights) + COORDINATOR.share)
    coordinator_rng = random.Random(f"{seed}-coordinator")
    drafts: list[ParticipantSeed] = []
    used_emails: set[str] = set()
    for i in range(n):
        female = rng.random() < 0.58
        first = rng.choice(_FEMALE_FIRST if female else _MALE_FIRST)
        masculine, feminine = rng.choice(_SURNAMES)
        last = feminine if female else masculine
        opened = today - timedelta(days=rng.randint(1, 365))
        if i in older:
            birth = _birth_date_for_age(rng, opened, 52, 64)
            education = rng.choices(tuple(Education), _ANY_EDUCATION_WEIGHTS)[0]
        else:
            birth = _birth_date_for_age(rng, opened, 26, 49)
            education = rng.choices(_LOW_EDUCATION, _LOW_EDUCATION_WEIGHTS)[0]
        employment = rng.choices(tuple(Employment), _EMPLOYMENT_WEIGHTS)[0]
        region_link = rng.choices(tuple(RegionLink), _REGION_LINK_WEIGHTS)[0]
        variant = CaseVariant.deep if i in deep else CaseVariant.basic

        status, closed = _outcome(rng, variant, opened, today)
        email, phone = _contact(rng, first, last, used_emails)
        counsellor_email = rng.choices(counsellors, weights)[0].email
        if coordinator_rng.random() < coordinator_odds:
            counsellor_email = COORDINATOR.email

        drafts.append(
            ParticipantSeed(
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
                birth_date=birth,
                education=education,
                employment=employment,
                region_link=region_link,
                case_code="",
                variant=variant,
                status=status,
                opened=opened,
                closed=closed,
                counsellor_email=counsellor_email,
            )
        )

    # Case codes run per year in the order cases were opened.
    order = sorted(range(n), key=lambda k: (drafts[k].opened, k))
    per_year: dict[int, int] = {}
    codes: dict[int, str] = {}
    for k in order:
        year = drafts[k].opened.year
        per_year[year] = per_year.get(year, 0) + 1
        codes[k] = f"BK-{year}-{per_year[year]:05d}"
    return [replace(p, case_code=codes[k]) for k, p in enumerate(drafts)]
