"""runload config show|check, and the one check of the config file every command runs: an
unknown table or key is an error naming it and the file, never silently ignored."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import REPO
from runload.config import ATHLETE_SETTINGS


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("RUNLOAD_CONFIG", str(path))
    for name in ("RUNLOAD_SMTP_HOST", "RUNLOAD_SMTP_PORT", "RUNLOAD_SMTP_SECURITY", "RUNLOAD_SMTP_USER",
                 "RUNLOAD_SMTP_PASSWORD", "RUNLOAD_MAIL_FROM", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return path


def rows(output: str) -> dict[str, tuple[str, str]]:
    """{setting: (value, from)} of the text table (columns split on two or more spaces)."""
    out = {}
    for line in output.splitlines()[2:]:
        key, value, source = re.split(r"\s{2,}", line.strip())
        out[key] = (value, source)
    return out


def test_show_defaults(cli, tmp_path, monkeypatch):
    for name in ("RUNLOAD_SMTP_HOST", "RUNLOAD_SMTP_PORT", "RUNLOAD_SMTP_PASSWORD", "RUNLOAD_MAIL_FROM", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    r = cli("config", "show")
    assert r.exit_code == 0
    assert r.output.splitlines()[0].split() == ["setting", "value", "from"]
    assert rows(r.output) == {
        "config file": (f"{tmp_path}/xdg-config/runload/config.toml (none there: defaults apply)", "default"),
        "store": (str(tmp_path / "store.sqlite"), "environment RUNLOAD_STORE"),
        "rules folder": (str(REPO / "rules"), "default"),
        "week_start": ("monday", "default"),
        "rules.disable": ("[]", "default"),
        "rules.only": ("[]", "default"),
        "rules.paths": ("[]", "default"),
        "smtp.host": ("-", "default"),
        "smtp.port": ("587", "default"),
        "smtp.security": ("starttls", "default"),
        "smtp.user": ("-", "default"),
        "smtp.password": ("-", "default"),
        "smtp.cafile": ("-", "default"),
        "smtp.retries": ("3", "default"),
        "smtp.backoff_s": ("2.0", "default"),
        "smtp.from": ("runload@localhost", "default"),
        "RUNLOAD_TODAY": ("2026-10-18", "environment RUNLOAD_TODAY"),
    }


def test_show_says_where_each_value_came_from(cli, cfg, tmp_path, monkeypatch):
    cfg.write_text('week_start = "sunday"\n[rules]\ndisable = ["monotony-strain"]\n'
                   '[rules.override.weekly-progression]\nseverity = "caution"\nthresholds = { caution = 15 }\n'
                   '[smtp]\nhost = "file.example.org"\nport = 2525\npassword = "hunter2"\n'
                   '[athletes.ana]\nthreshold_pace_s_per_km = 285\n[athletes.ana.rules]\ndisable = ["cadence-drop"]\n')
    monkeypatch.setenv("RUNLOAD_SMTP_HOST", "env.example.org")
    r = cli("--store", str(tmp_path / "other.sqlite"), "config", "show")
    assert r.exit_code == 0, r.output
    assert "hunter2" not in r.output
    got = rows(r.output)
    here = str(cfg)
    assert got["config file"] == (here, "environment RUNLOAD_CONFIG")
    assert got["store"] == (str(tmp_path / "other.sqlite"), "command line --store")
    assert got["week_start"] == ("sunday", here)
    assert got["rules.disable"] == ('["monotony-strain"]', here)
    assert got["rules.only"] == ("[]", "default")
    assert got["rules.override.weekly-progression.thresholds"] == ('{"caution": 15}', here)
    assert got["rules.override.weekly-progression.severity"] == ("caution", here)
    assert got["smtp.host"] == ("env.example.org", "environment RUNLOAD_SMTP_HOST")
    assert got["smtp.port"] == ("2525", here)
    assert got["smtp.password"] == ("(set, not shown)", here)
    assert got["athletes.ana.threshold_pace_s_per_km"] == ("285", here)
    assert got["athletes.ana.rules.disable"] == ('["cadence-drop"]', here)
    r = cli("config", "show", "--store", "x.sqlite", "--format", "json")
    items = {s["key"]: (s["value"], s["source"]) for s in json.loads(r.output)}
    assert items["store"] == ("x.sqlite", "command line --store")
    assert items["smtp.port"] == (2525, here) and items["week_start"] == ("sunday", here)
    assert items["smtp.password"] == ("(set, not shown)", here)
    assert "hunter2" not in r.output


def test_check_a_good_config(cli, cfg, athlete):
    cfg.write_text('[rules]\ndisable = ["monotony-strain"]\n[athletes.ana]\nthreshold_pace_s_per_km = 285\n')
    r = cli("config", "check")
    assert r.exit_code == 0
    n = len(list((REPO / "rules").glob("*.toml")))  # the bundled rule files, one disabled
    assert r.output == (f"Config file {cfg}: OK\n"
                        f"Rules: {n} loaded, {n - 1} in use\n"
                        "Mail: no server set (runload email needs RUNLOAD_SMTP_HOST or [smtp] host)\n")


def test_check_without_a_config_file(cli, tmp_path):
    r = cli("config", "check")
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == \
        f"Config file {tmp_path}/xdg-config/runload/config.toml: none there, every setting is its default"


def test_check_mail_settings_and_an_athlete_the_store_lacks(cli, cfg, athlete, monkeypatch):
    cfg.write_text('[smtp]\nhost = "smtp.example.org"\nsecurity = "ssl"\nfrom = "coach@example.org"\n'
                   '[athletes.anna]\nthreshold_pace_s_per_km = 280\n')
    r = cli("config", "check")
    assert r.exit_code == 0
    assert r.output.splitlines()[2:] == [
        "Mail: smtp.example.org:465 (ssl), from coach@example.org",
        f"Warning: [athletes.anna] names no athlete in the store {cfg.parent / 'store.sqlite'} "
        "(its settings apply to nobody there)",
    ]
    monkeypatch.setenv("RUNLOAD_SMTP_SECURITY", "tls")
    r = cli("config", "check")
    assert r.exit_code == 2
    assert r.output == "Error: RUNLOAD_SMTP_SECURITY must be one of ssl, starttls, none, not 'tls'\n"
    monkeypatch.delenv("RUNLOAD_SMTP_SECURITY")
    cfg.write_text('[smtp]\nhost = "smtp.example.org"\nport = "587x"\n')
    r = cli("config", "check")
    assert r.exit_code == 2 and r.output == "Error: [smtp] port in the config file must be a number, not '587x'\n"


BAD = [
    ('[smpt]\nhost = "x"\n', "unknown table [smpt] (the file may hold: week_start, rules, smtp, athletes)"),
    ('week_strat = "sunday"\n', "unknown key 'week_strat' (the file may hold: week_start, rules, smtp, athletes)"),
    ('[smtp]\nhots = "x"\n',
     "unknown key 'smtp.hots' ([smtp] may hold: host, port, security, user, password, cafile, retries, backoff_s, from)"),
    ('[rules]\ndisabled = ["monotony-strain"]\n',
     "unknown key 'rules.disabled' ([rules] may hold: disable, only, paths, override)"),
    ('[rules.override.single-run-spike]\nthreshold = { caution = 15 }\n',
     "unknown table [rules.override.single-run-spike.threshold] "
     "([rules.override.single-run-spike] may hold: params, severity, thresholds, enabled)"),
    ('[rules.override.single-run-spik]\nthresholds = { caution = 15 }\n',
     "config key 'rules.override.single-run-spik': no rule with id 'single-run-spik'"),
    ('[athletes.ana]\nmin_base = 15\n',
     "unknown key 'athletes.ana.min_base' ([athletes.ana] may hold: rules, " + ", ".join(ATHLETE_SETTINGS) + ")"),
    ('[athletes.ana.rules]\npaths = ["x"]\n',
     "unknown key 'athletes.ana.rules.paths' ([athletes.ana.rules] may hold: disable, only, override)"),
    ('[athletes.ana.rules.override.cadence-drp]\nenabled = false\n',
     "config key 'athletes.ana.rules.override.cadence-drp': no rule with id 'cadence-drp'"),
    ('[athletes.ana]\nmin_base_km = "ten"\n', "'athletes.ana.min_base_km' must be a number, not 'ten'"),
    ('smtp = "x"\n', "'smtp' must be a table ([smtp]), not a value"),
    ('[rules]\nonly = "single-run-spike"\n', "'rules.only' must be a list of rule ids"),
    ('[rules.override.single-run-spike]\nenabled = "no"\n',
     "'rules.override.single-run-spike.enabled' must be true or false, not 'no'"),
]


@pytest.mark.parametrize("text,error", BAD)
def test_an_unknown_or_misplaced_key_is_an_error_in_every_command(cli, cfg, athlete, text, error):
    cfg.write_text(text)
    expected = f"{cfg}: {error}"
    commands = [["config", "check"], ["check", "--athlete", "ana"], ["report", "--athlete", "ana"], ["roster"]]
    if not error.startswith("config key"):  # the file's shape: also where no rule is selected
        commands += [["rules", "list"], ["config", "show"]]
    for args in commands:
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert r.output == f"Error: {expected}\n", args


def test_athlete_settings_are_what_the_metrics_read():
    source = (REPO / "src" / "runload" / "rules" / "load_metrics.py").read_text(encoding="utf-8")
    read = set(re.findall(r'_setting\(ctx, params, "([a-z0-9_]+)"', source))
    assert read == set(ATHLETE_SETTINGS)


def test_a_setting_a_rule_sets_itself_is_flagged_and_the_override_works(cli, cfg, athlete, tmp_path):
    from builders import gpx_folder

    runs = gpx_folder(tmp_path, "runs", {"2026-09-28": 5.0, "2026-10-05": 5.0, "2026-10-06": 5.0, "2026-10-12": 5.0,
                                     "2026-10-13": 5.0, "2026-10-14": 5.0})
    assert cli("import", "--athlete", "ana", str(runs)).exit_code == 0

    def small() -> list[bool]:
        weeks = json.loads(cli("weeks", "--athlete", "ana", "--format", "json").output)
        return [w["base_too_small"] for w in weeks]

    cfg.write_text("")
    # weeks of 5, 10 and 15 km: 10 km after 5 km is under the default base of 10 km; 15 after 10 is not
    assert small() == [False, True, False]
    cfg.write_text("[athletes.ana]\nmin_base_km = 40\n")
    r = cli("config", "check")
    assert r.exit_code == 0
    assert r.output.splitlines()[3] == (
        "Warning: [athletes.ana] min_base_km: rules rolling-7day-progression, two-week-progression, weekly-progression set it in their "
        "own params, which win; for them use [athletes.ana.rules.override.RULE] params")
    assert small() == [False, True, False]  # no effect, as the warning says
    cfg.write_text("[athletes.ana.rules.override.weekly-progression]\nparams = { min_base_km = 40 }\n")
    assert cli("config", "check").output.count("Warning") == 0
    assert small() == [False, True, True]


def test_config_path_file_of_another_kind(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLOAD_CONFIG", str(tmp_path))
    r = cli("config", "check")
    assert r.exit_code == 2 and r.output == f"Error: {tmp_path}: is a folder, not a file\n"


def test_a_config_that_is_a_device_pipe_or_link_to_one_is_refused_unread(cli, tmp_path, monkeypatch):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    link = tmp_path / "link.toml"
    link.symlink_to("/dev/zero")
    for path, what in ((fifo, "is a named pipe (FIFO)"), (link, "is a device"), (Path("/dev/zero"), "is a device")):
        monkeypatch.setenv("RUNLOAD_CONFIG", str(path))
        r = cli("config", "check")
        assert r.exit_code == 2 and r.output.startswith(f"Error: {path}: {what}, not a file"), r.output


def test_a_misspelt_rule_parameter_is_an_error_naming_it(cli, cfg, athlete):
    cfg.write_text('[rules.override.acute-chronic-ratio]\nparams = { methd = "ewma" }\n')
    r = cli("config", "check")
    assert r.exit_code == 2
    assert ("config key 'rules.override.acute-chronic-ratio.params.methd': rule acute-chronic-ratio reads no such "
            "parameter (its file's params: load, method; or a shared setting: acute_days,") in r.output
    cfg.write_text('[rules.override.acute-chronic-ratio]\nparams = { method = "ewma" }\n')
    assert cli("config", "check").exit_code == 0


def test_every_key_is_declared_once_with_its_help_and_a_file_of_defaults_passes():
    from runload.config import ANY, ENV_NAMES, SETTINGS, TABLE, check_config

    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys)) and all(s.help for s in SETTINGS)
    assert set(ENV_NAMES) == {s.name for s in SETTINGS if s.table == "smtp"}
    data: dict = {}
    for s in SETTINGS:
        if s.default is None or s.kind is TABLE:
            continue
        table = data
        for part in s.table.split(".") if s.table else []:
            table = table.setdefault("ana" if part == ANY else part, {})
        table[s.name] = s.default
    assert data["smtp"]["security"] == "starttls" and data["athletes"]["ana"]["rules"]["only"] == []
    check_config(data)
