"""[notify]: when a run deserves an alert and what it says (pure; delivery is in test_notify.py)."""
import pytest

from audits.alert import TOP, compose, should_notify
from audits.config import ConfigError, from_dict
from audits.model import Finding, Severity

SITE = "https://clinic.test/"


def finding(severity: str, rule: str = "broken-link", page: str = "/about/", message: str = "Links to /gone, which returns 404."):
    return Finding(rule=rule, severity=Severity(severity), url=f"https://clinic.test{page}", target=None,
                   message=message).to_dict()


@pytest.mark.parametrize("on, new, expected", [
    ("new-errors", [finding("error")], True),
    ("new-errors", [finding("warning"), finding("info")], False),
    ("new-errors", [], False),
    ("new-warnings", [finding("warning")], True),
    ("new-warnings", [finding("error")], True),
    ("new-warnings", [finding("info")], False),
    ("always", [], True),
    ("never", [finding("error")], False),
])
def test_should_notify(on, new, expected):
    assert should_notify(on, new) is expected


def test_message_names_site_counts_top_findings_and_report():
    new = [finding("warning", "thin-content", "/blog/a/", "Only 120 words."), finding("error", "broken-link", "/about/")]
    alert = compose(SITE, base="r11", new=new, fixed=5, open=50, report="/srv/out/report.html")
    assert alert.title == "siteproof: 1 new error on https://clinic.test/"
    lines = alert.body.splitlines()
    assert lines[0] == "siteproof crawled https://clinic.test/"
    assert "Since the last crawl (r11): 2 new, 5 fixed, 50 still open." in lines
    assert "New (1 error, 1 warning), worst first:" in lines
    first = lines.index("- [error] broken-link on https://clinic.test/about/")
    assert lines[first + 1] == "  Links to /gone, which returns 404."
    assert lines.index("- [warning] thin-content on https://clinic.test/blog/a/") > first
    assert lines[-1] == "Report: /srv/out/report.html"


def test_long_lists_are_cut_and_counted():
    new = [finding("warning", page=f"/p{i}/", message="x " * 400) for i in range(TOP + 4)]
    alert = compose(SITE, base="r2", new=new, fixed=0, open=0, report=None)
    assert alert.title == f"siteproof: {TOP + 4} new findings on https://clinic.test/"
    assert sum(line.startswith("- [warning]") for line in alert.body.splitlines()) == TOP
    assert "…and 4 more in the report." in alert.body
    assert max(len(line) for line in alert.body.splitlines()) <= 202
    assert "Report: not written (run with --out to keep one)." in alert.body


def test_first_run_and_unchanged_run():
    first = compose(SITE, base=None, new=[finding("error")], fixed=0, open=0, report="out/report.html")
    assert "First recorded crawl of this site: all 1 findings are new." in first.body
    same = compose(SITE, base="r3", new=[], fixed=0, open=7, report="out/report.html")
    assert same.title == "siteproof: nothing new on https://clinic.test/"
    assert "Since the last crawl (r3): 0 new, 0 fixed, 7 still open." in same.body
    assert "worst first" not in same.body


def test_notify_config_default_keys_and_redaction():
    assert from_dict({}).notify.on == "new-errors"
    assert from_dict({}).notify.urls == ()
    config = from_dict({"notify": {"urls": ["mailtos://me:hunter2pw@mail.clinic.test", "slack://T1/B2/tokenXYZ",
                                            "${ALERT_URL}"], "on": "always"}})
    assert config.notify.on == "always"
    echoed = config.to_dict()["notify"]
    assert echoed == {"urls": ["mailtos://***", "slack://***", "${ALERT_URL}"], "on": "always"}


@pytest.mark.parametrize("data, words", [
    ({"notify": {"on": "sometimes"}}, "notify.on must be one of new-errors, new-warnings, always, never"),
    ({"notify": {"url": ["json://x"]}}, "unknown config key 'notify.url'"),
    ({"notify": {"urls": "json://x"}}, "notify.urls"),
])
def test_notify_config_errors(data, words):
    with pytest.raises(ConfigError) as err:
        from_dict(data, "siteproof.toml")
    assert words in str(err.value)


def test_one_link_broken_on_many_pages_is_one_entry_not_the_whole_top():
    """A theme's "Log in" link that broke on 40 pages must not push every other new finding out of the alert."""
    login = [Finding(rule="broken-link", severity=Severity.ERROR, url=f"https://clinic.test/p{i}/",
                     target="https://clinic.test/wp-login.php",
                     message="Link \"Log in\" points to https://clinic.test/wp-login.php, which returns 404.").to_dict()
             for i in range(40)]
    others = [finding("error", "phone-mismatch", "/contact/", "Shows (559) 555-0199."),
              finding("warning", "thin-content", "/blog/a/", "Only 120 words.")]
    alert = compose(SITE, base="r2", new=login + others, fixed=0, open=3, report=None)
    lines = alert.body.splitlines()
    assert alert.title == "siteproof: 41 new errors on https://clinic.test/"
    assert "- [error] broken-link https://clinic.test/wp-login.php on 40 pages" in lines
    assert sum("wp-login.php" in line for line in lines) == 2  # the entry and its one example message
    assert "- [error] phone-mismatch on https://clinic.test/contact/" in lines
    assert "- [warning] thin-content on https://clinic.test/blog/a/" in lines
    assert not [line for line in lines if line.startswith("…and")]
