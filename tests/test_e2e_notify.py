"""[notify] through the CLI: an alert when something new broke, none for an unchanged re-run,
and the alert URLs' secrets never in report.json, stdout or stderr."""
import json

from support.e2e import siteproof
from support.receivers import MAIL_PASSWORD, Webhook, mailbox, webhook  # noqa: F401 (fixtures)

TOKEN = "tok-Cli-5ecret"


def _site(tmp_path, urls):
    site = tmp_path / "public"
    site.mkdir()
    (site / "index.html").write_text("<html><head><title>Home</title></head><body><h1>Home</h1>"
                                     "<a href='/gone.html'>gone</a></body></html>", encoding="utf-8")
    (tmp_path / "siteproof.toml").write_text(
        "[site]\ncanonical_url = \"https://clinic.test\"\n\n[notify]\n"
        f"urls = {json.dumps(urls)}\non = \"new-errors\"\n", encoding="utf-8")
    return site


def test_unusable_alert_url_is_one_line_exit_2(tmp_path):
    _site(tmp_path, [f"jsno://bot:{TOKEN}@127.0.0.1:1/hook"])
    proc = siteproof("check", "public", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "siteproof: error: notify.urls[0] (jsno://***) is not an Apprise URL siteproof can use\n"
    assert TOKEN not in proc.stdout


PAGE = ("<html><head><title>{title}</title></head><body><h1>{title}</h1>"
        "<a href='/{target}.html'>more</a></body></html>")


def test_alert_once_for_new_errors_and_not_for_an_unchanged_rerun(tmp_path, mailbox, webhook):
    mailbox.messages.clear()
    webhook.posts.clear()
    site = _site(tmp_path, [mailbox.url(), webhook.url(auth=f"bot:{TOKEN}")])
    run = lambda: siteproof("check", "public", "--out", "out", cwd=tmp_path)  # noqa: E731

    first = run()
    assert first.returncode == 1, first.stderr
    assert len(mailbox.messages) == 1 and len(webhook.posts) == 1
    assert mailbox.messages[0]["Subject"] == "siteproof: 1 new error on https://clinic.test/"
    assert "First recorded crawl of this site" in webhook.posts[0]["json"]["message"]

    again = run()  # nothing changed: nothing new, no alert
    assert again.returncode == 1, again.stderr
    assert len(mailbox.messages) == 1 and len(webhook.posts) == 1

    (site / "about.html").write_text(PAGE.format(title="About", target="moved"), encoding="utf-8")
    (site / "index.html").write_text(PAGE.format(title="Home", target="gone")
                                     .replace("</body>", "<a href='/about.html'>about</a></body>"), encoding="utf-8")
    third = run()
    assert third.returncode == 1, third.stderr
    assert len(mailbox.messages) == 2 and len(webhook.posts) == 2
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    since = report["history"]["since_last"] if "history" in report else report["since_last"]
    body = webhook.posts[1]["json"]["message"]
    # The alert agrees with report.json: the new page brought one new error (and a warning or two).
    assert f"Since the last crawl ({since['base']}): {since['new']} new, 0 fixed, {since['open']} still open." in body
    assert "New (1 error," in body
    assert "- [error] broken-link on https://clinic.test/about" in body
    assert f"Report: {(tmp_path / 'out' / 'report.html').resolve()}" in body
    assert mailbox.messages[1].get_content().replace("\r\n", "\n").strip() == body.strip()
    for proc in (first, again, third):
        for text in (proc.stdout, proc.stderr):
            assert MAIL_PASSWORD not in text and TOKEN not in text
    assert report["config"]["notify"] == {"urls": ["mailto://***", "json://***"], "on": "new-errors"}
    assert MAIL_PASSWORD not in json.dumps(report) and TOKEN not in json.dumps(report)


def test_a_receiver_that_is_down_is_one_warning_and_the_usual_exit_code(tmp_path):
    down = Webhook()  # its port is free again once stopped: nothing listens there
    url = down.url(auth=f"bot:{TOKEN}")
    down.stop()
    _site(tmp_path, [url])
    proc = siteproof("check", "public", "--out", "out", "-q", cwd=tmp_path)
    assert proc.returncode == 1  # the broken link, exactly as without [notify]
    [line] = proc.stderr.splitlines()
    assert line.startswith("siteproof: warning: alert not delivered to notify.urls[0] (json://***)")
    assert TOKEN not in proc.stderr + proc.stdout
    assert (tmp_path / "out" / "report.json").is_file()
