"""A coach's roster: every athlete on one line, most at risk first.

Each line says what the athlete's own report for the week says (so the roster never says
something the report does not): read from the same assessment by the report's own functions
(:func:`runload.report.build.shown_findings`, :func:`runload.report.build.current_week`), without
building the rest of the report; plus how old the athlete's data is: a runner whose watch has not
synced for two weeks may be injured, ill, or just forgetful, and a coach should ask. Data 7 or
more days old is a caution, 14 or more (or none at all) a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

from runload.assess import STATUS_SHORT, Assessment, Status
from runload.calendar import Period
from runload.models import Athlete, Finding, RedFlagLevel, level_rank
from runload.plan import PlanCheck
from runload.report.build import build_report, current_week, judged_day, shown_findings
from runload.report.model import Report, Roster, RosterRow, WeekRow

T = TypeVar("T")

STALE_CAUTION_DAYS = 7
STALE_WARNING_DAYS = 14


class Assessments(Protocol):
    """What the roster and the site ask of the session (:class:`runload.session.Assessor`): an
    athlete's assessment and plan check on a day, the athletes, and one call for each of them."""

    def get(self, athlete_id: str, as_of: date | None, *, read_on: date | None = None) -> Assessment: ...

    def plan(self, athlete_id: str, as_of: date, *, read_on: date | None = None) -> PlanCheck | None: ...

    def athlete_ids(self) -> list[str]: ...

    def map(self, fn: Callable[..., T], athlete_ids: Sequence[str], *args: Any, workers: int | None = None
            ) -> list[T]: ...


def report_on(assessor: Assessments, athlete_id: str, period: Period, today: date) -> Report:
    """The athlete's report for ``period``, judged on its last day (or today), led by every red
    flag standing today: what their roster line and their page are made of."""
    day = judged_day(period, today)
    return build_report(assessor.get(athlete_id, day, read_on=today), period,
                        plan=assessor.plan(athlete_id, day, read_on=today))


def row_for(assessor: Assessments, athlete_id: str, period: Period, today: date, *,
            read_on: date | None = None) -> RosterRow:
    """One athlete's roster line: what their report for ``period`` (:func:`report_on`) says,
    taken from the same assessment and plan check by the same functions, without building the
    rest of the report (its weeks, runs, shoes, notes and charts). ``read_on``: the day the
    line is read, for the red flags standing then (default ``today``; a weekly mail reads on
    the day it is sent, see :func:`runload.mail.content.sent_day`)."""
    day = judged_day(period, today)
    read = today if read_on is None else read_on
    a = assessor.get(athlete_id, day, read_on=read)
    plan = assessor.plan(athlete_id, day, read_on=read)
    flag = a.pain.red_flags[0] if a.pain is not None and a.pain.red_flags else None
    return _row(a.athlete, period, today, data_end=a.data_end, status=a.status, findings=shown_findings(a, period),
                week=current_week(a, period), pain_trend=a.pain.trend.word,
                red_flag=None if flag is None else (flag.date, str(flag.what)), plan=plan)


def stale_level(days: int | None) -> str:
    """``ok``, ``caution`` (7+ days without data) or ``warning`` (14+ days, or no data at all)."""
    if days is None or days >= STALE_WARNING_DAYS:
        return "warning"
    if days >= STALE_CAUTION_DAYS:
        return "caution"
    return "ok"


def roster_row(report: Report, today: date) -> RosterRow:
    """One athlete's roster line from their report; ``today`` dates the staleness."""
    story = report.pain_story
    return _row(report.athlete, report.period, today, data_end=report.data_end, status=report.status,
                findings=report.findings, week=report.current_week, pain_trend=report.pain.trend,
                red_flag=story.red_flags[0][:2] if story and story.red_flags else None, plan=report.plan)


def _row(athlete: Athlete, period: Period, today: date, *, data_end: date | None, status: Status,
         findings: Sequence[Finding], week: WeekRow | None, pain_trend: str, red_flag: tuple[date, str] | None,
         plan: PlanCheck | None) -> RosterRow:
    """The roster line of what an athlete's report for ``period`` says (:func:`roster_row`,
    :func:`row_for`): its status and findings, its last week, its pain trend and first standing
    red flag (day, what), the plan check; ``today`` dates the staleness."""
    reference = min(today, period.end)
    days = None if data_end is None else max(0, (reference - data_end).days)
    stale = stale_level(days)
    top = findings[0] if findings else None
    if top is None and status.level in tuple(RedFlagLevel) and red_flag is not None:
        # a red flag whose rule is switched off still stands: say what it is
        d, what = red_flag
        top_text: str | None = f"Red flag: {what} ({d.isoformat()})"
    else:
        top_text = f"{top.title}: {top.message}" if top else None
    level = max(status.level, stale, key=level_rank)
    has = week is not None and week.has_data
    return RosterRow(
        athlete_id=athlete.id,
        name=athlete.name,
        level=level,
        findings_level=status.level,
        week_km=round(week.distance_km, 1) if has and week else None,
        change_pct=week.change_pct if has and week else None,
        base_too_small=bool(has and week and week.base_too_small),
        top_finding=top_text,
        top_rule_id=top.rule_id if top else None,
        findings=len(findings),
        pain_trend=pain_trend,
        last_data=data_end,
        days_since_data=days,
        stale_level=stale,
        units=athlete.units,
        plan=None if plan is None else ("keeps limits" if plan.keeps_limits else "breaks a limit"),
    )


def status_words(row: RosterRow) -> str:
    """The roster's status column: the athlete's own status in short words (what their report
    headline says), or "stale data" when the age of the data is what ranks them this high."""
    if row.level == row.stale_level and level_rank(row.stale_level) > level_rank(row.findings_level):
        return "stale data" if row.days_since_data is not None else "no data"
    return STATUS_SHORT.get(row.findings_level, row.findings_level)


def sort_key(row: RosterRow) -> tuple:
    """Most at risk first: overall level, then the findings' own level, then how many findings,
    then the biggest weekly jump, then the oldest data; ties by athlete id."""
    change = row.change_pct if row.change_pct is not None else float("-inf")
    days = row.days_since_data if row.days_since_data is not None else 10**6
    return (-level_rank(row.level), -level_rank(row.findings_level), -row.findings, -change, -days, row.athlete_id)


def build_roster(assessor: Assessments, period: Period, *, today: date, athlete_ids: Sequence[str] | None = None,
                 workers: int | None = None) -> Roster:
    """The roster for ``period`` (a week), each athlete judged on its last day or ``today``.

    ``assessor`` is an :class:`runload.session.Assessor` (its store and rulebook); it spreads
    the athletes over ``workers`` processes (:meth:`~runload.session.Assessor.map`).
    """
    ids = list(athlete_ids) if athlete_ids is not None else assessor.athlete_ids()
    rows = assessor.map(row_for, ids, period, today, workers=workers)
    rows.sort(key=sort_key)
    return Roster(period, judged_day(period, today), rows)
