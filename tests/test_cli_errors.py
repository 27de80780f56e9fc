"""Every user error exits 2 with one line on stderr and no traceback."""
import os
import socket
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def assert_usage_error(result, words):
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert words in lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_non_http_url(tmp_path):
    assert_usage_error(run("crawl", "ftp://clinic.test/", "--out", str(tmp_path)), "not an http(s) URL")


def test_url_without_host(tmp_path):
    assert_usage_error(run("crawl", "clinic.test", "--out", str(tmp_path)), "not an http(s) URL")


@pytest.mark.parametrize("url", ["http://[::1/", "http://clinic.test:80x/"])
def test_malformed_url(tmp_path, url):
    assert_usage_error(run("crawl", url, "--out", str(tmp_path)), "not a valid URL")


def test_start_url_on_a_host_that_cannot_exist(tmp_path):
    # .invalid never resolves (RFC 6761): answered at once, no resolver asked.
    assert_usage_error(run("crawl", "https://clinic.invalid/", "--out", str(tmp_path), "--quiet"),
                       "cannot reach https://clinic.invalid/: dns error")


def test_unknown_config_key(tmp_path):
    config = tmp_path / "siteproof.toml"
    config.write_text("[crawl]\nmax_pagez = 3\n")
    assert_usage_error(run("crawl", "http://127.0.0.1:9/", "--config", str(config), "--out", str(tmp_path / "o")),
                       "crawl.max_pagez")


def test_config_found_in_working_directory(tmp_path):
    (tmp_path / "siteproof.toml").write_text("[audits.readability]\nmax_grad = 3\n")
    assert_usage_error(run("check", str(tmp_path), cwd=tmp_path), "audits.readability.max_grad")


def test_configured_phone_that_is_not_a_number(tmp_path):
    (tmp_path / "siteproof.toml").write_text('[site]\nphone = "(555) 010-CARE (22)"\n')
    assert_usage_error(run("check", str(tmp_path), cwd=tmp_path), "site.phone '(555) 010-CARE (22)' is not a phone number")


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert_usage_error(run("crawl", "http://127.0.0.1:9/", "--out", str(blocker / "sub")), "cannot write to output folder")


def test_unreachable_start_url(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/"
    assert_usage_error(run("crawl", url, "--out", str(tmp_path), "--quiet"), "cannot reach")


def test_unknown_format(tmp_path):
    assert_usage_error(run("check", str(tmp_path), "--format", "pdf"), "unknown format")


def test_missing_path():
    assert_usage_error(run("check", "/no/such/build/folder"), "no such file or folder")


def test_unknown_rule():
    assert_usage_error(run("rules", "no-such-rule"), "unknown rule")


def test_bad_argument():
    assert_usage_error(run("crawl"), "url")


def test_max_pages_must_be_positive(tmp_path):
    assert_usage_error(run("crawl", "http://127.0.0.1:9/", "--max-pages", "0", "--out", str(tmp_path)), "--max-pages")


def test_rules_lists_every_rule_and_shows_docs():
    from audits import registry

    listing = run("rules")
    assert listing.returncode == 0
    for rule_id in registry.load():
        assert rule_id in listing.stdout
    docs = run("rules", "hard-to-read")
    assert docs.returncode == 0
    assert "Why it matters" in docs.stdout and "max_grade" in docs.stdout


def test_a_closed_pipe_is_not_a_traceback():
    # The reader closes its end before siteproof has written anything (it is still importing).
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "rules"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_the_command_ends_without_losing_what_it_wrote(capsys):
    # `python -m crawler` leaves with os._exit (crawler/cli.py run): a pipe's block-buffered
    # stdout must still reach the reader whole, and the exit status must be main's.
    from crawler.cli import main

    assert main(["rules"]) == 0
    expected = capsys.readouterr().out
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout to a pipe: block-buffered
    piped = subprocess.run([sys.executable, "-m", "crawler", "rules"], capture_output=True, text=True, env=env,
                           timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == expected and len(expected) > 1000
    assert run("rules", "no-such-rule").returncode == main(["rules", "no-such-rule"]) != 0
