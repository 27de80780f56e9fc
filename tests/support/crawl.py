"""Crawl in a child process (Twisted's reactor cannot restart) and read back its summary."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CRAWL = textwrap.dedent("""
    import json, sys
    from dataclasses import fields
    from pathlib import Path
    from audits.config import ConfigError, from_dict
    from crawler.run import crawl
    progress = {"on": True, "off": False}[sys.argv[3]]
    try:
        summary = crawl(from_dict(json.loads(sys.argv[1])), Path(sys.argv[2]), progress=progress)
    except ConfigError as exc:
        print(json.dumps({"config_error": str(exc)}))
        sys.exit(2)
    plain = {f.name: getattr(summary, f.name) for f in fields(summary) if f.compare}  # not the records it holds
    print(json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in plain.items()}))
""")


def run_crawl(config: dict, out: Path, progress: bool = False) -> tuple[int, dict, str]:
    """Crawl in a child process; (exit code, the summary or {"config_error": ...}, stderr)."""
    proc = subprocess.run([sys.executable, "-c", CRAWL, json.dumps(config), str(out), "on" if progress else "off"],
                          cwd=REPO, capture_output=True, text=True, timeout=90)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"the crawl printed nothing; stderr:\n{proc.stderr}"
    return proc.returncode, json.loads(lines[-1]), proc.stderr
