"""The crawl audits the records it still holds instead of reading pages.jsonl back.

The files stay the record (a stored crawl is audited from them, a resumed crawl
replays them), so both ways must give one report: a page model that changed on
its way through JSON (a tuple become a list, a key become a string) would show
here as a difference.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from crawler.siteserver import SiteServer
from support.crawl import REPO
from support.sites import EXTERNAL, EXTERNAL_HOST, new_clinic_server

BOTH_WAYS = textwrap.dedent("""
    import dataclasses, json, sys
    from pathlib import Path
    from audits.config import from_dict
    from crawler.job import audit_crawl
    from crawler.run import crawl
    config = from_dict(json.loads(sys.argv[1]))
    out = Path(sys.argv[2])
    summary = crawl(config, out, progress=False)
    held = audit_crawl(config, out, summary, started_at="t")
    read_back = audit_crawl(config, out, dataclasses.replace(summary, kept=None), started_at="t")
    def plain(report):
        data = report.to_dict()
        data.pop("finished_at")
        return data
    print(json.dumps({"pages_held": len(summary.kept.pages), "fetches_held": len(summary.kept.fetches),
                      "held": plain(held), "read_back": plain(read_back)}, default=str))
""")


def test_the_audit_of_the_held_record_is_the_audit_of_the_files(tmp_path):
    with SiteServer(EXTERNAL, host=EXTERNAL_HOST) as external, new_clinic_server(external) as site:
        config = {"site": {"start_urls": [site.url("/")]}, "crawl": {"timeout_s": 2}}
        proc = subprocess.run([sys.executable, "-c", BOTH_WAYS, json.dumps(config), str(tmp_path)],
                              cwd=REPO, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    pages_in_file = sum(1 for line in (tmp_path / "pages.jsonl").read_text(encoding="utf-8").splitlines() if line)
    assert result["pages_held"] == pages_in_file > 20
    assert result["fetches_held"] > 20
    assert result["held"]["findings"], "the clinic fixture has findings to compare"
    assert result["held"] == result["read_back"]
