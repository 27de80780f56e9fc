"""Alert delivery through Apprise to a real SMTP server and a real webhook on loopback."""
import pytest

from audits.alert import Alert
from audits.config import ConfigError
from crawler.notify import check_urls, send
from support.receivers import MAIL_PASSWORD as PASSWORD, Webhook, mailbox, webhook  # noqa: F401 (fixtures)

TOKEN = "tok-Hook-5ecret"
ALERT = Alert(title="siteproof: 1 new error on https://clinic.test/",
              body="siteproof crawled https://clinic.test/\n- [error] broken-link on https://clinic.test/about/\n")


def test_delivered_by_mail_and_webhook(mailbox, webhook):
    mailbox.messages.clear()
    webhook.posts.clear()
    warnings = []
    assert send([mailbox.url(), webhook.url(auth=f"bot:{TOKEN}")], ALERT, warn=warnings.append) == 2
    assert warnings == []
    [mail] = mailbox.messages
    assert mail["Subject"] == ALERT.title
    assert mail["To"] == "team@clinic.test"
    assert "- [error] broken-link on https://clinic.test/about/" in mail.get_content()
    [post] = webhook.posts
    assert post["path"] == "/hook" and post["user"] == "bot"
    assert post["json"]["title"] == ALERT.title
    assert post["json"]["message"] == ALERT.body.rstrip("\n")  # Apprise trims the end


def test_a_receiver_that_is_down_is_one_warning_line(mailbox, webhook):
    mailbox.messages.clear()
    down = Webhook()  # bound, then closed: nothing listens on its port any more
    down_url = down.url(auth=f"bot:{TOKEN}")
    down.stop()
    warnings = []
    assert send([down_url, mailbox.url()], ALERT, warn=warnings.append) == 1
    assert len(mailbox.messages) == 1
    [line] = warnings
    assert line.startswith("siteproof: warning: alert not delivered to notify.urls[0] (json://***)")
    assert "\n" not in line and TOKEN not in line


def test_unusable_url_is_a_config_error_without_its_secret():
    check_urls(["json://127.0.0.1:1/hook", "mailto://u:p@127.0.0.1:1?from=s@clinic.test&to=a@clinic.test"])
    with pytest.raises(ConfigError) as err:
        check_urls(["json://127.0.0.1:1/hook", f"nosuchservice://me:{PASSWORD}@x.test"])
    assert str(err.value) == "notify.urls[1] (nosuchservice://***) is not an Apprise URL siteproof can use"


def test_url_read_from_the_environment(webhook, monkeypatch):
    webhook.posts.clear()
    monkeypatch.setenv("SITEPROOF_TEST_ALERT_URL", webhook.url(path="/from-env", auth=f"bot:{TOKEN}"))
    assert send(["${SITEPROOF_TEST_ALERT_URL}"], ALERT) == 1
    assert [p["path"] for p in webhook.posts] == ["/from-env"]
    monkeypatch.delenv("SITEPROOF_TEST_ALERT_URL")
    with pytest.raises(ConfigError, match=r"notify.urls\[0\] names the environment variable "
                                          r"SITEPROOF_TEST_ALERT_URL, which is not set"):
        check_urls(["$SITEPROOF_TEST_ALERT_URL"])


def test_after_run_sends_only_what_notify_on_asks_for(webhook, tmp_path):
    from audits.config import NotifyConfig
    from crawler.notify import after_run

    webhook.posts.clear()
    notify = NotifyConfig(urls=(webhook.url(),), on="new-errors")
    error = {"rule": "broken-link", "severity": "error", "url": "https://clinic.test/about/", "message": "Links to /gone."}
    warning = {**error, "rule": "thin-content", "severity": "warning", "message": "Only 90 words."}
    since = {"base": "r4", "new": 1, "fixed": 2, "open": 9}
    assert after_run(notify, "https://clinic.test/", since, [warning], tmp_path) is False
    assert webhook.posts == []
    assert after_run(notify, "https://clinic.test/", since, [error, warning], tmp_path) is True
    [post] = webhook.posts
    assert post["json"]["title"] == "siteproof: 1 new error on https://clinic.test/"
    assert "Since the last crawl (r4): 2 new, 2 fixed, 9 still open." in post["json"]["message"]
    assert f"Report: {tmp_path.resolve() / 'report.html'}" in post["json"]["message"]
