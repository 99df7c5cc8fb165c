"""A coach's roster mail reads each athlete's line without building their report: the line is the
one their weekly mail's report gives, read on the day the mail is sent (a red flag logged after
the week, up to that day, leads it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from builders import WEEK, roster_store

from runload.mail.content import athlete_report, athlete_row
from runload.models import PainEntry
from runload.report.roster import roster_row
from runload.session import Assessor


def test_a_roster_mail_line_is_the_line_of_the_athletes_mail_report(store_path: Path) -> None:
    store = roster_store(store_path)
    # logged the day after the week ends: only a mail read the next day sees it
    store.add_pain_entries("cara", [PainEntry(WEEK + timedelta(days=7), side="left", pain_during=3,
                                              calf_swelling_redness_warmth=True)])
    lines = []
    for week in (WEEK - timedelta(weeks=1), WEEK):
        for today in (week + timedelta(days=2), week + timedelta(days=6), week + timedelta(days=7),
                      week + timedelta(days=40)):
            judge = Assessor(store)
            for athlete_id in judge.athlete_ids():
                line = athlete_row(judge, athlete_id, week, today=today)
                assert line == roster_row(athlete_report(judge, athlete_id, week, today=today), today)
                lines.append(line)
    assert any(r.athlete_id == "cara" and r.level == "urgent" for r in lines)
