"""`siteproof demo`: the bundled sample clinic site and the configuration it is crawled with."""
from __future__ import annotations

from pathlib import Path

DEMO_SITE = Path(__file__).parent / "demo_site"
DEMO_PORT = 8642  # the usual port; any free one when it is taken


def DEMO_CONFIG(origin: str) -> dict:
    """The demo's siteproof.toml, as data: the served origin is only known at run time."""
    return {
        "site": {
            "start_urls": [origin + "/"],
            "canonical_url": origin,
            "old_domains": ["valleywellnessfresno.com"],
            "phone": "(559) 555-0142",
            "phone_region": "US",
        },
        # The sample's few external links point at reserved .invalid hosts, which the
        # crawler answers as DNS errors without a lookup; a short timeout keeps any
        # other slow URL from holding the demo up.
        "crawl": {"timeout_s": 5, "retries": 1, "max_retry_after_s": 2},
    }
