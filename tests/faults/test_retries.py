"""Transient failures are retried with exact budgets; what still fails is reported, never forgotten (issue 11).

Each test crawls a loopback FaultServer through the real CLI and counts, at the
server, how often each URL was asked for.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultserver import FaultServer, answer, drawn_failures, first_fails, flaky, hang, page, reset

from crawler.middlewares import RetryAfterMiddleware

REPO = Path(__file__).resolve().parents[2]
BOUND_S = 120  # a bound for hangs: each crawl takes a few seconds on a quiet machine


def crawl(origin: str, tmp: Path, name: str, config: str = "timeout_s = 1\n", quiet: bool = True
          ) -> tuple[subprocess.CompletedProcess, dict, float]:
    out = tmp / name
    toml = tmp / f"{name}.toml"
    toml.write_text(f"[crawl]\n{config}", encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", origin + "/", "--out", str(out), "--config",
                           str(toml), "--format", "text", "--no-history", *(["-q"] if quiet else [])],
                          cwd=REPO, capture_output=True, text=True, timeout=BOUND_S)
    took = time.monotonic() - started
    report = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
    return proc, report, took


def rules(report: dict, rule: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == rule]


def site(pages: int = 20) -> dict:
    """Home linking to ``pages`` pages, each linking to the next and to one image."""
    routes = {"/": page("Home", [f"/p/{i}/" for i in range(pages)])}
    for i in range(pages):
        routes[f"/p/{i}/"] = page(f"Page {i}", [f"/p/{(i + 1) % pages}/"], body=f'<img src="/img/{i}.png" alt="x">')
        routes[f"/img/{i}.png"] = answer(200, b"\x89PNG", "image/png")
    return routes


def first_request_fails():
    seen: set[str] = set()

    def fails(path: str) -> bool:
        if path in seen:
            return False
        seen.add(path)
        return True
    return fails


def test_every_url_failing_once_then_answering_gives_no_broken_link(tmp_path):
    routes = site()
    fails = first_request_fails()
    with FaultServer({p: flaky(fn, fails) for p, fn in routes.items()}) as server:
        proc, report, took = crawl(server.origin, tmp_path, "out")
        asked = {p: server.count(p) for p in routes}
    assert proc.returncode == 0, proc.stderr
    assert took < BOUND_S
    assert rules(report, "broken-link") == []
    assert len(report["pages"]) == 21  # nothing lost
    assert set(asked.values()) == {2}, asked  # each URL: one failure, one retry, never more
    assert report["crawl"]["retries"] == len(routes)
    assert report["crawl"]["recovered"] == len(routes)
    assert report["crawl"]["unaudited"] == {}


def test_retry_budgets_are_exact_and_what_still_fails_is_listed(tmp_path):
    routes = {"/": page("Home", ["/error/", "/bad-gateway/", "/reset/", "/hang/", "/missing/"]),
              "/error/": answer(500, b"oops"), "/bad-gateway/": answer(502, b"oops"),
              "/reset/": reset, "/hang/": hang(5), "/missing/": answer(404, b"gone")}
    with FaultServer(routes) as server:
        proc, report, took = crawl(server.origin, tmp_path, "out", "retries = 2\ntimeout_s = 0.5\n", quiet=False)
        asked = {p: server.count(p) for p in routes if p != "/"}
    assert proc.returncode == 1, proc.stderr  # broken links are findings
    assert took < BOUND_S
    # retries = 2: at most three requests for a URL, whatever fails; a 404 is an answer, not retried.
    assert asked == {"/error/": 3, "/bad-gateway/": 3, "/reset/": 3, "/hang/": 3, "/missing/": 1}
    broken = {f["target"][len(server.origin):]: f["evidence"] for f in rules(report, "broken-link")}
    assert set(broken) == set(asked)
    assert broken["/hang/"]["error"] == "timeout" and broken["/error/"]["status"] == 500
    # Pages the crawl could not fetch are listed as not audited, with why, in report.json and the summary.
    unaudited = {url[len(server.origin):]: why for url, why in report["crawl"]["unaudited"].items()}
    assert unaudited == {"/error/": "answered 500", "/bad-gateway/": "answered 502", "/reset/": "connection-lost",
                         "/hang/": "timeout"}
    assert "NOT AUDITED: 4 pages could not be fetched after retries" in proc.stdout


def test_a_server_failing_a_fifth_of_requests_gives_the_same_findings_twice(tmp_path):
    routes = site(40)
    found = []
    for run in range(2):
        with FaultServer({p: flaky(fn, drawn_failures(0.2, seed=7)) for p, fn in routes.items()}) as server:
            proc, report, _ = crawl(server.origin, tmp_path, f"out{run}", "retries = 2\n")
            origin = server.origin
        assert proc.returncode in (0, 1), proc.stderr
        found.append(sorted((f["rule"], f["url"][len(origin):], (f["target"] or "")[len(origin):])
                            for f in report["findings"] if f["rule"] in ("broken-link", "orphan-page")))
        assert report["crawl"]["retries"] > 10  # a fifth of ~81 URLs failed at least once
    assert found[0] == found[1]
    # Only URLs whose three draws all failed are broken.
    draws = drawn_failures(0.2, seed=7)
    doomed = {p for p in routes if all(draws(p) for _ in range(3))}
    assert {target for rule, _, target in found[0] if rule == "broken-link"} == doomed - {"/"}


def test_retry_after_waits_add_at_most_the_budget_together():
    retry = RetryAfterMiddleware(retries=2, max_wait_s=10)
    assert retry._honour(6)
    assert retry._honour(5)  # overlaps the first wait: costs 0 s more
    assert not retry._honour(11) or retry._waited_s <= 10
    assert retry._waited_s <= 10


def test_retry_after_beyond_the_budget_is_reported_at_once_and_shorter_waits_are_honoured(tmp_path):
    with FaultServer({"/busy": answer(503, b"later", headers={"Retry-After": "120"}),
                      "/briefly": first_fails(1, page("Back"), answer(503, b"later", headers={"Retry-After": "1"}))},
                     host="127.0.0.2") as external:
        routes = site(60)
        routes["/"] = page("Home", [f"/p/{i}/" for i in range(60)] + [external.url("/busy"), external.url("/briefly")])
        with FaultServer(routes) as server:
            proc, report, took = crawl(server.origin, tmp_path, "out", "max_retry_after_s = 30\n")
        asked = {p: external.count(p) for p in ("/busy", "/briefly")}
    assert proc.returncode == 0, proc.stderr  # a warning, not an error
    assert asked == {"/busy": 1, "/briefly": 2}  # 120 s > 30 s: not waited for, not asked again
    assert took < 120  # done before the asked wait would have ended
    assert len(report["pages"]) == 61
    busy = rules(report, "unverifiable-link")
    assert [f["target"] for f in busy] == [external.url("/busy")]
    assert "busy, asks to retry after 120 s" in busy[0]["message"]
    assert busy[0]["evidence"]["retry_after_s"] == 120
    assert rules(report, "broken-link") == []


def test_robots_txt_answering_5xx_disallows_the_whole_host_and_says_why(tmp_path):
    routes = {"/robots.txt": answer(500, b"oops", "text/plain"), "/": page("Home", ["/private/"]),
              "/private/": page("Private")}
    with FaultServer(routes) as server:
        proc, report, took = crawl(server.origin, tmp_path, "out", "retries = 1\n")
        asked = {p: server.count(p) for p in routes}
    assert proc.returncode == 2
    assert took < BOUND_S
    assert asked == {"/robots.txt": 2, "/": 0, "/private/": 0}  # robots.txt retried once, then nothing crawled
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "robots.txt" in proc.stderr and "server error" in proc.stderr and "RFC 9309" in proc.stderr
