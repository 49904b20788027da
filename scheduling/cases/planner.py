"""The planner of a participant's deep Bilans meetings (issue 13): from the content the counsellor
chose, the participant's free time and the counsellor's openings to 2-6 meetings on real slots,
or a refusal saying which rule blocks and what to relax. Pure: plain data in, plain data out.

- ``propose(request)``: a ``Proposal`` or a ``Refusal`` (never an exception for an impossible
  plan; ``ValueError`` only for malformed data, e.g. a naive datetime).
- ``check_proposal(request, proposal)``: every rule a plan breaks, in Polish, as
  ``scheduling.plan.PlanProblem``; the independent check behind the planner's tests, and what
  re-checks a plan after the counsellor moved a meeting.

The rules, from the seed: 2-6 meetings after the recruitment interview holding 4.5-5 h in all
(S14); the biographical interview first, over one or two meetings, the behavioural after it
(S15-S17, ``scheduling.plan.check_plan``); the portfolio review ``evidence_days`` after the
behavioural interview (S23); a tool that needs a licence only on a day the counsellor's licence
is valid (S24); the summary alone in the last meeting (S25); all within 6 months of the
recruitment interview, the last day included (S29). *Decisions*: at least ``min_gap_days``
between meetings, counted in Warsaw days, the recruitment interview included; no meeting on a
public holiday; every rule holds for a pinned (moved) meeting too. The search is in
``planner_search``, the refusals in ``planner_explain``, the shapes in ``planner_model``.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from app.calendar import WARSAW
from app.records.enums import CaseVariant
from scheduling.cases.planner_explain import diagnose, obstacle_text, precheck
from scheduling.cases.planner_model import (
    BILANS_MAX_MINUTES,
    BILANS_MIN_MINUTES,
    TOOL_MINUTES,
    Availability,
    ContentItem,
    Interval,
    Opening,
    PlanRequest,
    Proposal,
    ProposedMeeting,
    Refusal,
    RefusalCode,
    Validity,
    day_text,
    default_content,
    meeting_number,
    run_words,
    tool_item,
)
from scheduling.cases.planner_search import Obstacle, holidays_for, obstacles, run_of, search
from scheduling.lifecycle import hours_label as hours
from scheduling.plan import Meeting, MeetingPart, Plan, PlanProblem, check_plan

__all__ = [
    "TOOL_MINUTES",
    "Availability",
    "ContentItem",
    "Interval",
    "Opening",
    "PlanRequest",
    "Proposal",
    "ProposedMeeting",
    "Refusal",
    "RefusalCode",
    "Validity",
    "check_proposal",
    "default_content",
    "move_options",
    "propose",
    "tool_item",
]


def propose(request: PlanRequest) -> Proposal | Refusal:
    """The preferred plan for ``request``, or why there is none."""
    refusal = precheck(request)
    if refusal is not None:
        return refusal
    return search(request) or diagnose(request)


def move_options(request: PlanRequest, proposal: Proposal, index: int) -> list[Opening]:
    """Where meeting ``index`` of ``proposal`` could go instead: a free slot long enough for it
    that the participant can come to, the minimum gap after the meeting before it and before the
    deadline, on a day its tools' licences cover. The meetings after it are planned again around
    it (whether they still fit, and the evidence days of a portfolio review, is the planner's to
    say)."""
    meetings = proposal.meetings
    meeting = meetings[index]
    gap = timedelta(days=request.min_gap_days)
    after = (meetings[index - 1].day if index else request.interview_on) + gap
    before = request.deadline
    used = {slot for m in meetings for slot in m.slot_ids}
    holidays = holidays_for(request)
    licensed = {i.tool for i in request.content if i.licence_required and i.tool in meeting.tools}
    return [
        o
        for o in request.openings
        if after <= o.local_start.date() <= before
        and o.slot_id not in used
        and o.minutes >= meeting.minutes
        and not obstacles(o, request, holidays)
        and all(request.licensed_on(t, o.local_start.date()) for t in licensed)
    ]


def check_proposal(request: PlanRequest, proposal: Proposal) -> tuple[PlanProblem, ...]:
    """Everything wrong with ``proposal`` for ``request``, in Polish; empty when it is fine.

    Each meeting's slots are looked up in ``request.openings``: a caller re-checking a plan
    whose meetings are already booked passes those slots among the openings.
    """
    meetings = proposal.meetings
    plan = Plan(
        request.interview_on,
        CaseVariant.deep,
        (
            Meeting((MeetingPart.RECRUITMENT,), request.interview_on),
            *(Meeting(m.parts, m.day) for m in meetings),
        ),
    )
    return (
        *check_plan(plan),
        *_check_content(request, meetings),
        *_check_minutes(request, meetings),
        *_check_slots(request, meetings),
        *_check_days(request, meetings),
    )


def _name(index: int, meeting: ProposedMeeting) -> str:
    at = meeting.starts_at.astimezone(WARSAW)
    return f"{meeting_number(index).capitalize()} ({at:%d.%m.%Y %H:%M}, {meeting.where_name})"


def _labels(meeting: ProposedMeeting) -> list[str]:
    """What a meeting holds, one label per item (tools by code)."""
    return [p.label for p in meeting.parts if p is not MeetingPart.TOOLS] + list(meeting.tools)


def _check_content(
    request: PlanRequest, meetings: tuple[ProposedMeeting, ...]
) -> list[PlanProblem]:
    """The chosen content, each item once (the biographical interview in up to two meetings),
    the summary alone (S25), the portfolio after the days to gather evidence (S23)."""
    problems = []
    wanted = Counter(item.label for item in request.content)
    held = Counter(label for m in meetings for label in dict.fromkeys(_labels(m)))
    bio = MeetingPart.BIOGRAPHICAL.label
    held[bio] = min(held[bio], 1)  # split over two meetings: check_plan holds the rest
    missing, extra = wanted - held, held - wanted
    if missing:
        problems.append(PlanProblem("content_missing", f"W planie brakuje: {', '.join(missing)}."))
    if extra:
        problems.append(
            PlanProblem(
                "content_extra",
                f"W planie jest więcej, niż wybrano (albo coś dwa razy): {', '.join(extra)}.",
            )
        )
    for i, m in enumerate(meetings):
        if (MeetingPart.TOOLS in m.parts) != bool(m.tools):
            problems.append(
                PlanProblem(
                    "tools_mismatch", f"{_name(i, m)}: narzędzia nie zgadzają się z treścią."
                )
            )
    last = meetings[-1] if meetings else None
    if last is not None and MeetingPart.SUMMARY in last.parts and len(_labels(last)) > 1:
        problems.append(
            PlanProblem(
                "summary_not_alone", "Podsumowanie odbywa się na osobnym, ostatnim spotkaniu."
            )
        )
    return problems + _check_portfolio(request, meetings)


def _check_portfolio(
    request: PlanRequest, meetings: tuple[ProposedMeeting, ...]
) -> list[PlanProblem]:
    behavioural = [i for i, m in enumerate(meetings) if MeetingPart.BEHAVIOURAL in m.parts]
    portfolio = [i for i, m in enumerate(meetings) if MeetingPart.PORTFOLIO in m.parts]
    if not behavioural or not portfolio:
        return []
    b, p = meetings[behavioural[0]], meetings[portfolio[0]]
    if portfolio[0] > behavioural[0] and (p.day - b.day).days >= request.evidence_days:
        return []
    return [
        PlanProblem(
            "portfolio_too_early",
            f"{_name(portfolio[0], p)}: przegląd portfolio jest co najmniej "
            f"{request.evidence_days} dni po wywiadzie behawioralnym ({day_text(b.day)}), "
            f"żeby uczestnik zdążył zebrać dowody.",
        )
    ]


def _ranges(request: PlanRequest, meetings: tuple[ProposedMeeting, ...]) -> list[tuple[int, int]]:
    """Each meeting's least and most minutes for what it holds (items not chosen count 0)."""
    items = {item.label: item for item in request.content}
    split = sum(MeetingPart.BIOGRAPHICAL in m.parts for m in meetings) > 1
    ranges = []
    for m in meetings:
        low = high = 0
        for label in dict.fromkeys(_labels(m)):
            item = items.get(label)
            if item is None:
                continue
            if split and item.part is MeetingPart.BIOGRAPHICAL:  # in halves, as the planner cuts
                first = m is meetings[0]
                low += item.min_minutes // 2 if first else item.min_minutes - item.min_minutes // 2
                high += item.max_minutes // 2 if first else item.max_minutes - item.max_minutes // 2
            else:
                low, high = low + item.min_minutes, high + item.max_minutes
        ranges.append((low, high))
    return ranges


def _check_minutes(
    request: PlanRequest, meetings: tuple[ProposedMeeting, ...]
) -> list[PlanProblem]:
    """4.5-5 h in all (S14), each meeting within its content's range and its slots."""
    problems = []
    for i, (m, (low, high)) in enumerate(zip(meetings, _ranges(request, meetings), strict=True)):
        if not low <= m.minutes <= high:
            problems.append(
                PlanProblem(
                    "minutes_out_of_range",
                    f"{_name(i, m)} ma trwać {hours(m.minutes)}, a to, co obejmuje, zajmuje od "
                    f"{hours(low)} do {hours(high)}.",
                )
            )
        booked = int((m.ends_at - m.starts_at).total_seconds() // 60)
        if m.minutes > booked:
            problems.append(
                PlanProblem(
                    "minutes_exceed_slots",
                    f"{_name(i, m)} ma trwać {hours(m.minutes)}, a zarezerwowane terminy dają "
                    f"tylko {hours(booked)}.",
                )
            )
    total = sum(m.minutes for m in meetings)
    if not BILANS_MIN_MINUTES <= total <= BILANS_MAX_MINUTES:
        problems.append(
            PlanProblem(
                "total_out_of_range",
                f"Spotkania trwają razem {hours(total)}: etap badawczy i podsumowanie zajmują "
                f"od {hours(BILANS_MIN_MINUTES)} do {hours(BILANS_MAX_MINUTES)}.",
            )
        )
    return problems


def _check_slots(request: PlanRequest, meetings: tuple[ProposedMeeting, ...]) -> list[PlanProblem]:
    """Each meeting on one duty's consecutive free slots, each slot used once, and inside the
    participant's free time."""
    problems = []
    seen: set[int] = set()
    holidays = holidays_for(request)
    for i, m in enumerate(meetings):
        run = run_of(request, m.slot_ids)
        if run is None or (
            (run.openings[0].starts_at, run.openings[-1].ends_at, run.openings[0].where)
            != (m.starts_at, m.ends_at, m.where)
        ):
            problems.append(
                PlanProblem(
                    "slots_not_a_run",
                    f"{_name(i, m)}: jego terminy to nie {run_words(request)}.",
                )
            )
        if seen & set(m.slot_ids):
            problems.append(PlanProblem("slot_reused", f"{_name(i, m)}: termin zajęty dwa razy."))
        seen |= set(m.slot_ids)
        itself = Opening(0, 0, m.starts_at, m.ends_at, m.where, m.where_name)
        for obstacle in sorted(obstacles(itself, request, holidays) - {Obstacle.DEADLINE}):
            problems.append(
                PlanProblem(
                    f"slot_{obstacle.value}",
                    f"{_name(i, m)} wypada {obstacle_text(obstacle, request)}.",
                )
            )
    return problems


def _check_days(request: PlanRequest, meetings: tuple[ProposedMeeting, ...]) -> list[PlanProblem]:
    """The gaps between meetings (the recruitment interview included) and the licences (S24)."""
    problems = []
    previous = request.interview_on
    required = {i.tool: i.licence_required for i in request.content if i.tool is not None}
    for i, m in enumerate(meetings):
        if m.day - previous < timedelta(days=request.min_gap_days):
            problems.append(
                PlanProblem(
                    "gap_too_short",
                    f"{_name(i, m)} jest mniej niż {request.min_gap_days} dni po poprzednim "
                    f"spotkaniu ({day_text(previous)}).",
                )
            )
        previous = max(previous, m.day)
        for tool in m.tools:
            if required.get(tool, True) and not request.licensed_on(tool, m.day):
                problems.append(
                    PlanProblem(
                        "licence_invalid",
                        f"{_name(i, m)}: doradca nie ma tego dnia ważnych uprawnień do {tool}.",
                    )
                )
    return problems
