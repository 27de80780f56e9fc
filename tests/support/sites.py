"""The fixture sites on disk and on loopback, and the clinic's expected findings.

The clinic site (127.0.0.1) links to a second host (127.0.0.2) so that "external" links
are really on another host. The clinic's `times = 1` route (/new-patient-forms/ answers
503 once) is consumed by the first request a server gets for it; a test that must see
that first 503 starts its own server with `new_clinic_server(start_external())`.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from crawler.siteserver import SiteServer

SITES = Path(__file__).resolve().parent.parent / "sites"
CLINIC = SITES / "clinic"
EXTERNAL = SITES / "external"
EXTERNAL_HOST = "127.0.0.2"


def start_external() -> SiteServer:
    """A fresh external host on 127.0.0.2 (its request log holds one test's requests); skips where it cannot bind."""
    try:
        return SiteServer(EXTERNAL, host=EXTERNAL_HOST).start()
    except OSError as exc:  # macOS only routes 127.0.0.1 unless an alias is added
        pytest.skip(f"cannot bind {EXTERNAL_HOST} for the external test host ({exc}); "
                    f"on macOS: sudo ifconfig lo0 alias {EXTERNAL_HOST}")


def clinic_substitutions(external: SiteServer) -> dict[str, str]:
    return {"external": external.origin, "external_host": f"{external.host}:{external.port}"}


def new_clinic_server(external: SiteServer, **kwargs: Any) -> SiteServer:
    """An unstarted clinic server linked to ``external`` (use it as a context manager)."""
    return SiteServer(CLINIC, substitutions=clinic_substitutions(external), **kwargs)



def _absolute(value: str, clinic_origin: str, external_origin: str) -> str:
    value = value.replace("{{external}}", external_origin)
    return clinic_origin + value if value.startswith("/") else value


def load_expected(clinic_origin: str, external_origin: str) -> dict[str, Any]:
    """EXPECTED.toml with every path made absolute (findings, content pages, never_requested)."""
    data = tomllib.loads((CLINIC / "EXPECTED.toml").read_text(encoding="utf-8"))
    data["finding"] = expected_findings(clinic_origin, external_origin, data)
    data["content"] = {rule: [_absolute(p, clinic_origin, external_origin) for p in pages]
                       for rule, pages in data["content"].items()}
    data["pages"] = {kind: [_absolute(p, clinic_origin, external_origin) for p in pages]
                     for kind, pages in data["pages"].items()}
    return data


def expected_findings(clinic_origin: str, external_origin: str,
                      data: dict[str, Any] | None = None) -> list[dict]:
    """The clinic's expected findings as report-shaped dicts: {"rule", "url", "target"} (target may be None)."""
    if data is None:
        data = tomllib.loads((CLINIC / "EXPECTED.toml").read_text(encoding="utf-8"))
    clinic_origin = clinic_origin.rstrip("/")
    external_origin = external_origin.rstrip("/")
    return [
        {"rule": f["rule"],
         "url": _absolute(f["page"], clinic_origin, external_origin),
         "target": _absolute(f["target"], clinic_origin, external_origin) if "target" in f else None}
        for f in data["finding"]
    ]
