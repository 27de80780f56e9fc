"""The scheduling examples (systemd, cron, GitHub Actions) parse and keep the history between runs."""
import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.cli import build_parser

EXAMPLES = Path(__file__).parent.parent / "examples"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string((EXAMPLES / "systemd" / name).read_text(encoding="utf-8"))
    return parser


def test_timer_is_persistent_and_starts_the_service():
    timer = unit("siteproof.timer")
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["OnCalendar"] == "Mon *-*-* 06:00:00"
    assert timer["Timer"]["Unit"] == "siteproof.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_service_runs_a_crawl_where_the_history_persists():
    service = unit("siteproof.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["WorkingDirectory"] == "/var/lib/siteproof"
    assert service["StateDirectory"] == "siteproof"  # systemd keeps /var/lib/siteproof across runs and reboots
    assert service["SuccessExitStatus"] == "1"  # findings are not a failed unit
    command = service["ExecStart"].split()
    args = build_parser().parse_args(command[1:])
    assert args.command == "crawl" and args.out == "siteproof-report"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_units_pass_systemd_analyze_verify(tmp_path):
    # verify checks that ExecStart is executable: point it at the siteproof of this environment.
    siteproof = Path(sys.executable).parent / "siteproof"
    if not siteproof.exists():
        pytest.skip("the siteproof script is not installed next to this Python")
    for name in ("siteproof.service", "siteproof.timer"):
        text = (EXAMPLES / "systemd" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace("/opt/siteproof/bin/siteproof", str(siteproof)), encoding="utf-8")
    proc = subprocess.run(["systemd-analyze", "verify", "siteproof.timer", "siteproof.service"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # an unknown key or section is only a warning: none allowed


def test_cron_line_changes_to_the_history_folder_first():
    [line] = [l for l in (EXAMPLES / "cron" / "siteproof.cron").read_text(encoding="utf-8").splitlines()
              if l.strip() and not l.startswith("#")]
    minute, hour, day, month, weekday, command = line.split(None, 5)
    assert (minute, hour, day, month, weekday) == ("0", "6", "*", "*", "1")
    assert command.startswith("cd /var/lib/siteproof && ")
    crawl = command.split(" && ", 1)[1].split(">>")[0].split()
    assert build_parser().parse_args(crawl[1:]).command == "crawl"


def test_scheduled_workflow_keeps_the_history_between_runs():
    workflow = yaml.safe_load((EXAMPLES / "github-actions" / "siteproof-scheduled.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "0 6 * * 1"}]
    steps = {step.get("name"): step for step in workflow["jobs"]["crawl"]["steps"]}
    assert "siteproof-history" in steps["Restore the history"]["run"]
    keep = steps["Keep the history for next week"]
    assert keep["uses"].startswith("actions/upload-artifact@")
    assert keep["if"] == "always()"  # a red run (something new broke) still passes its history on
    assert keep["with"]["name"] == "siteproof-history" and keep["with"]["path"] == ".siteproof/"
    assert keep["with"]["include-hidden-files"] is True
    names = list(steps)
    assert names.index("Restore the history") < names.index("Crawl") < names.index("Keep the history for next week")
    crawl = steps["Crawl"]
    assert crawl["env"]["SITEPROOF_ALERT_URL"] == "${{ secrets.SITEPROOF_ALERT_URL }}"
    args = build_parser().parse_args(shlex.split(crawl["run"])[1:])
    assert args.command == "crawl" and args.fail_on_new == "error"  # red only when something new broke
