"""Checking an excerpt of a real site (tests/fixtures/realsites/) with the rules, as `siteproof check` would."""
from __future__ import annotations

from pathlib import Path

from audits import sources
from audits.config import from_dict
from audits.engine import run_rules

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "realsites"
ORIGIN = "https://clinic.test"
PAGE_RULES = {"missing-title", "missing-meta-description", "missing-h1", "multiple-h1", "missing-alt",
              "duplicate-title", "broken-link", "phone-format"}


def check(site: str, **cfg):
    """(pages by path, findings) of the excerpt folder ``site`` under the config ``[site]`` keys ``cfg``."""
    folder = REAL / site
    config = from_dict({"site": {"canonical_url": ORIGIN, **cfg}})
    built = sources.pages_from_paths([folder], config, path_base=folder).site()
    pages = {url.removeprefix(ORIGIN): page for url, page in built.pages.items()}
    return pages, list(run_rules(built))
