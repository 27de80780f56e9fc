"""[notify] through the CLI: alert URLs' secrets never reach report.json, stdout or stderr."""
import json

from e2e_cli import siteproof

PASSWORD = "pw-Cli-5ecret"
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


def test_secrets_stay_out_of_report_and_output(tmp_path):
    _site(tmp_path, [f"mailto://alerts:{PASSWORD}@127.0.0.1:1?from=s@clinic.test&to=t@clinic.test",
                     f"json://bot:{TOKEN}@127.0.0.1:1/hook"])
    proc = siteproof("check", "public", "--out", "out", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the broken link
    report = (tmp_path / "out" / "report.json").read_text(encoding="utf-8")
    assert json.loads(report)["config"]["notify"] == {"urls": ["mailto://***", "json://***"], "on": "new-errors"}
    for text in (report, proc.stdout, proc.stderr):
        assert PASSWORD not in text and TOKEN not in text


def test_unusable_alert_url_is_one_line_exit_2(tmp_path):
    _site(tmp_path, [f"jsno://bot:{TOKEN}@127.0.0.1:1/hook"])
    proc = siteproof("check", "public", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "siteproof: error: notify.urls[0] (jsno://***) is not an Apprise URL siteproof can use\n"
    assert TOKEN not in proc.stdout
