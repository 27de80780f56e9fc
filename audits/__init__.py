"""siteproof's audits: the page model, extraction, rules and reports (no Scrapy here)."""

__version__ = "0.1.0"
