"""Red flags silence running advice in every output, each sign of a pair counts on its own, and
the pain log speaks with one voice (the report, the roster, the weekly mail read on the day it is
sent). evidence.md section 7.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from pathlib import Path

import pytest


from runload.assess import assess
from runload.models import AthleteData, PainEntry
from builders import ATHLETE, BOOK, D, gpx_track, steady

# What running advice looks like in any output: the walk-run plan and its stages, a return step
# by step, limits in distance and growth in percent.
RUNNING_ADVICE = ("walk-run", "walk 2 min", "Stage 1", "stage 1", "step by step", "Next week:", "run under",
                  "at most", "10% a week", "10% up", "67%", "steps of about", "Build up again", "return with")


def _case(*entries: PainEntry) -> object:
    data = AthleteData(ATHLETE, tuple(steady(D("2026-05-04"), 8)), tuple(entries))
    return assess(data, BOOK, max(e.date for e in entries) + timedelta(days=1))


# ---------------------------------------------------------------- each sign of a pair on its own
@pytest.mark.parametrize("entry, rule", [
    (dict(pain_after=4, swelling="severe"), "pain-red-flag-severe-swelling-alone"),
    (dict(pain_after=3, cannot_bend_straighten=True), "pain-red-flag-cannot-bend"),
    (dict(pain_after=6, swelling="severe", cannot_bend_straighten=True), "pain-red-flag-severe-swelling"),
], ids=["severe-swelling-alone", "cannot-bend-alone", "both"])
def test_severe_swelling_or_a_blocked_knee_alone_is_see_a_clinician_today(entry, rule) -> None:
    a = _case(PainEntry(D("2026-06-24"), side="left", **entry))
    assert a.status.level == "urgent" and a.status.label == "See a clinician today"
    assert [f.rule_id for f in a.red_flags] == [rule]  # one flag for one entry, not one per sign
    assert a.limits.mode == "red-flag" and (a.limits.week_km, a.limits.per_run_km) == (None, None)
    assert a.red_flags[0].advice.startswith(("See a clinician today", "Get the knee examined today"))


def test_fever_with_knee_pain_means_no_running_and_with_swelling_same_day_care() -> None:
    fever = _case(PainEntry(D("2026-06-24"), pain_after=3, fever=True))
    assert fever.status.level == "clinician" and fever.status.label != "On track"
    [flag] = fever.red_flags
    assert flag.rule_id == "pain-red-flag-fever" and flag.advice.startswith("No running with a fever.")
    assert fever.limits.mode == "red-flag"
    for words in RUNNING_ADVICE:  # the care a see-a-clinician flag calls for, and nothing about running
        assert words not in fever.limits.guidance and all(words not in f.advice for f in fever.findings), words
    swollen = _case(PainEntry(D("2026-06-24"), pain_after=3, swelling="mild", fever=True))
    assert swollen.status.level == "urgent"
    assert [f.rule_id for f in swollen.red_flags] == ["pain-red-flag-fever-swollen-knee"]
    # the fever gone (an entry without it): resolved, and the load status is back
    gone = _case(PainEntry(D("2026-06-22"), pain_after=3, fever=True), PainEntry(D("2026-06-24"), pain_after=2))
    assert gone.red_flags == () and gone.status.level not in ("emergency", "urgent", "clinician")


# ---------------------------------------------------------------- chest pain, every output
def _decoded_mails(folder: Path) -> dict[str, str]:
    out = {}
    for p in folder.glob("*.eml"):
        msg = message_from_bytes(p.read_bytes(), policy=policy.default)
        out[p.name] = "\n".join([msg["Subject"]] + [part.get_content() for part in msg.walk()
                                                     if part.get_content_type() in ("text/plain", "text/html")])
    return out


@pytest.mark.slow  # runs imported, then every output
def test_chest_pain_gets_only_the_emergency_care_in_every_output(cli, tmp_path: Path, monkeypatch) -> None:
    """Knee pain, then chest pain logged: pain status, the report in every format, the email, the
    site and the plan check carry no walk-run plan and no running advice; after a clearance the
    return plan appears, framed by the heart and lungs."""
    assert cli("athlete", "add", "maya", "--name", "Maya", "--email", "maya@example.org").exit_code == 0
    assert cli("coach", "add", "kim", "--email", "kim@example.org", "--athlete", "maya").exit_code == 0
    folder = tmp_path / "runs"
    folder.mkdir()
    for i in range(24):
        day = date(2026, 9, 1) + timedelta(days=2 * i)
        (folder / f"{day}.gpx").write_text(gpx_track(day, 6.0 + i % 3))
    assert cli("import", "--athlete", "maya", str(folder)).exit_code == 0
    assert cli("pain", "add", "--athlete", "maya", "--date", "2026-10-10", "--pain-after", "6",
               "--no-input").exit_code == 0
    added = cli("pain", "add", "--athlete", "maya", "--date", "2026-10-15", "--breathless-chest-pain", "--no-input")
    assert added.exit_code == 0 and "EMERGENCY" in added.output
    assert cli("plan", "set", "--athlete", "maya", "--run", "2026-10-20:8", "--run", "2026-10-22:10").exit_code == 0

    outputs = {"pain status": cli("pain", "status", "--athlete", "maya").output,
               "pain status json": cli("pain", "status", "--athlete", "maya", "--json").output,
               "plan check": cli("plan", "check", "--athlete", "maya").output,
               "plan check json": cli("plan", "check", "--athlete", "maya", "--format", "json").output,
               "check": cli("check", "--athlete", "maya").output,
               # an earlier week, read now: the red flag logged after it leads it too
               "check earlier week": cli("check", "--athlete", "maya", "--week", "2026-W41").output}
    for fmt in ("text", "json", "md", "html"):
        outputs[f"report {fmt}"] = cli("report", "--athlete", "maya", "--format", fmt).output
    monkeypatch.setenv("RUNLOAD_MAIL_FROM", "runload@example.net")
    monkeypatch.setenv("RUNLOAD_SMTP_HOST", "127.0.0.1")
    assert cli("email", "--week", "2026-W42", "--outbox", str(tmp_path / "out")).exit_code == 0
    mails = _decoded_mails(tmp_path / "out")
    assert len(mails) == 2
    outputs.update(mails)
    assert cli("site", str(tmp_path / "site")).exit_code == 0
    outputs.update({p.name: p.read_text() for p in (tmp_path / "site").rglob("*.html")})
    outputs = {name: " ".join(text.split()) for name, text in outputs.items()}  # wrapped lines joined
    for name, text in outputs.items():
        for words in RUNNING_ADVICE:
            assert words not in text, (name, words)
    for name in ("pain status", "report text", "report html", "2026-W42-athlete-maya-maya@example.org.eml",
                 "check", "check earlier week"):
        assert "for an ambulance now" in outputs[name] or "call an ambulance" in outputs[name], name
    assert "knee and leg" not in outputs["report text"]
    assert json.loads(outputs["pain status json"])["return_plan"] is None
    report = json.loads(outputs["report json"])
    assert report["status"]["level"] == "emergency" and report["pain"]["return_plan"] == []
    assert report["limits"]["mode"] == "red-flag"
    assert json.loads(outputs["plan check json"])["refused"].startswith("Not checked: a red flag stands")

    # cleared: the return plan appears, and what must be checked first is the heart and lungs
    assert cli("pain", "clear", "--athlete", "maya", "--date", "2026-10-16").exit_code == 0
    status = cli("pain", "status", "--athlete", "maya").output
    assert "Return to running:" in status and "Stage 1" in status
    assert "Start only once a doctor has checked your heart and lungs and cleared you to run." in status
    assert "knee and leg" not in status


def test_chest_pain_alone_is_not_linked_to_the_training_load() -> None:
    a = _case(PainEntry(D("2026-06-24"), breathless_chest_pain=True))
    [ep] = a.pain.episodes
    assert not ep.about_knee and ep.load is None
    assert not any(f.rule_id == "pain-episode-load" for f in a.findings)


# ---------------------------------------------------------------- one voice
def test_the_roster_pain_column_reads_the_days_the_report_reads(cli, athlete, monkeypatch) -> None:
    """Entries 2 and 5 days old on a Tuesday: the roster and the report say the same trend, over
    the 7 days up to the day judged (not up to the Sunday still to come)."""
    for day, score in (("2026-10-09", 3), ("2026-10-12", 2), ("2026-10-15", 6)):
        assert cli("pain", "add", "--athlete", "ana", "--date", day, "--pain-after", str(score),
                   "--no-input").exit_code == 0
    monkeypatch.setenv("RUNLOAD_TODAY", "2026-10-17")  # a Saturday: 10-12 and 10-15 are 5 and 2 days old
    roster = json.loads(cli("roster", "--format", "json").output)
    report = json.loads(cli("report", "--athlete", "ana", "--format", "json").output)
    row = roster["athletes"][0]
    assert row["pain_trend"] == report["pain"]["trend"] == "rising"
    assert (report["pain"]["last_7d_max"], report["pain"]["prev_7d_max"]) == (6, 3)
    # the pain episode's finding says the same trend with the same numbers
    episode = next(f for f in report["findings"] if f["title"] == "Pain episode")
    assert "pain rising (worst 6/10 in the last 7 days, 3/10 in the 7 before)" in episode["message"]


def test_a_western_athletes_mail_carries_the_red_flag_logged_after_their_week(cli, store_path) -> None:
    """Monday 03:00 UTC: still Sunday in Denver, so Ben's mail reports the week before last while
    his coach's roster reports last week. Chest pain logged after Ben's week ended leads both."""
    from runload.mail.job import plan
    from runload.store import Store

    assert cli("athlete", "add", "ben", "--name", "Ben O", "--email", "ben@example.org",
               "--timezone", "America/Denver").exit_code == 0
    assert cli("coach", "add", "lee", "--email", "lee@example.org", "--athlete", "ben").exit_code == 0
    with Store.open(store_path) as store, store.atomic() as conn:
        for a in steady(D("2026-08-31"), 6):
            store.insert_activity(conn, "ben", a)
    assert cli("pain", "add", "--athlete", "ben", "--date", "2026-10-14", "--breathless-chest-pain",
               "--no-input").exit_code == 0
    now = datetime(2026, 10, 19, 3, 0, tzinfo=timezone.utc)
    with Store.open(store_path) as store:
        planned = {p.kind: p for p in plan(store, now=now)}
        assert (planned["athlete"].week, planned["roster"].week) == ("2026-W41", "2026-W42")
        mail, roster = planned["athlete"].build(), planned["roster"].build()
    assert mail.subject == "runload 2026-W41: Ben O: Emergency: get medical help now"
    text = " ".join(mail.text.split())
    assert "breathlessness or chest pain" in text and "On track" not in text
    for words in RUNNING_ADVICE:
        assert words not in text, words
    assert "EMERGENCY" in roster.text and "Breathlessness or chest pain" in roster.text
