"""A large `check` extracts in workers forked from the CLI process: the same pages and findings as one
process. Run in a fresh interpreter: forking is only done where no other thread runs."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "crawler" / "demo_site"

SCRIPT = r"""
import json, sys, threading
from audits import engine, sources
from audits.config import from_dict

def pages(local):
    return sorted((p.to_dict() for p in local.pages), key=lambda p: p["url"])

config = from_dict({"crawl": {"workers": 2}}, "test")
sources.PARALLEL_FROM_FILES = 1  # the demo's pages count as a large build: forked workers
forked = sources.pages_from_paths([sys.argv[1]], config)
sources.PARALLEL_FROM_FILES = 10**9
alone = sources.pages_from_paths([sys.argv[1]], config)

with_workers = [f.to_dict() for f in engine.run_rules(forked.site())]
one_process = [f.to_dict() for f in engine.run_rules(alone.site())]
print(json.dumps({"threads": threading.active_count(), "same_pages": pages(forked) == pages(alone),
                  "same_findings": with_workers == one_process, "findings": one_process}))
"""


def test_a_forked_check_finds_what_one_process_finds():
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(DEMO)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["threads"] == 1
    assert out["same_pages"]
    assert len({f["rule"] for f in out["findings"]}) > 5
    assert out["same_findings"]
