"""Configuration: one TOML file, strict, defaults in the dataclass fields only.

Search order: ``--config FILE`` > ``siteproof.toml`` > ``[tool.siteproof]`` in
``pyproject.toml`` > defaults. An unknown key or a value of the wrong type is a
``ConfigError`` naming the key; the CLI prints it as one line and exits 2.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from audits import registry
from audits.model import Severity


class ConfigError(Exception):
    """A problem with the user's configuration or input; shown as one line."""


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration_s(text: str, key: str) -> float:
    """ "90m" -> 5400.0; a bare number is seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"config key '{key}' must be a duration such as \"0\", \"90m\", \"24h\" or \"7d\"")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


@dataclass(frozen=True)
class SiteConfig:  # [site]
    start_urls: tuple[str, ...] = ()
    canonical_url: str = ""  # default: the first start URL's origin
    aliases: tuple[str, ...] = ()  # same site under another host/scheme; crawled, but url-mismatch
    old_domains: tuple[str, ...] = ()  # former domains; links to them are url-mismatch
    phone: str = ""  # canonical number in the house format; default: the number most pages show
    phone_region: str = "US"


@dataclass(frozen=True)
class CrawlConfig:  # [crawl]
    max_pages: int = 10000
    max_depth: int = 50  # a list's next page is no level deeper (crawler/spiders/site.py)
    concurrency: int = 32  # requests in flight in all
    concurrency_per_host: int = 8
    delay_s: float = 0.0  # pause between requests to one host
    obey_robots: bool = True
    check_external: bool = True
    timeout_s: float = 20.0
    max_response_mb: float = 10.0
    retries: int = 2  # for 429/5xx, timeouts and lost connections, with backoff (crawler/middlewares.py)
    max_retry_after_s: float = 30.0  # longest Retry-After we wait; also the most all waits may add to a crawl
    user_agent: str = "siteproof (+https://github.com/siteproof/siteproof)"
    workers: int = 0  # processes for page extraction; 0 = one per CPU beyond the first, at least 1
    recheck_external_after: str = "24h"  # an external link's success is reused this long: "0", "90m", "24h", "7d"

    def __post_init__(self):
        duration_s(self.recheck_external_after, "crawl.recheck_external_after")

    @property
    def recheck_external_after_s(self) -> float:
        return duration_s(self.recheck_external_after, "crawl.recheck_external_after")


@dataclass(frozen=True)
class LinksConfig:  # [links]
    ignore: tuple[str, ...] = ()  # URL globs never checked nor reported


NOTIFY_ON = ("new-errors", "new-warnings", "always", "never")


@dataclass(frozen=True)
class NotifyConfig:  # [notify]
    urls: tuple[str, ...] = ()  # Apprise URLs; they carry passwords and tokens, so reports show only the scheme
    on: str = "new-errors"  # new-errors | new-warnings | always | never


@dataclass(frozen=True)
class HistoryConfig:  # [history]
    path: str = ".siteproof/history.sqlite"  # relative to the working directory
    url: str = ""  # a database server instead ("postgresql://user@host/db"), or "$NAME" of a variable holding it

    @property
    def location(self) -> str:
        """Where the history lives: the server's URL when ``url`` is set, else the SQLite ``path``."""
        if not self.url:
            return self.path
        if self.url.startswith("$") and "://" not in self.url:
            # Read where the crawl runs, so the password is in no config file and no job's arguments.
            value = os.environ.get(self.url[1:], "")
            if not value:
                raise ConfigError(f"config key 'history.url' names {self.url}, which is not set in the environment")
            return value
        return self.url


@dataclass(frozen=True)
class ReportConfig:  # [report]
    # Where the report files go: "{site}" is the site's host (and port), "{run}" the run's start time and job.
    # Unset: `siteproof crawl` writes siteproof-report/ (or --out); a Scrapyd job siteproof-reports/{site}/{run}.
    dir: str = ""


@dataclass(frozen=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    links: LinksConfig = field(default_factory=LinksConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    audits: dict = field(default_factory=dict)  # section name -> options dataclass instance
    rules: dict = field(default_factory=dict)  # rule id -> "off" | severity
    ignore: dict = field(default_factory=dict)  # URL path glob -> [rule ids]
    source: str = "defaults"  # where the configuration came from, for messages

    def audit_options(self, name: str):
        if name in self.audits:
            return self.audits[name]
        return registry.OPTIONS[name]()

    @property
    def canonical_origin(self) -> str:
        if self.site.canonical_url:
            return self.site.canonical_url.rstrip("/")
        if self.site.start_urls:
            parts = urlsplit(self.site.start_urls[0])
            return f"{parts.scheme}://{parts.netloc}"
        return ""

    def with_start_urls(self, urls: list[str]) -> "Config":
        return dataclasses.replace(self, site=dataclasses.replace(self.site, start_urls=tuple(urls)))

    def effective_severity(self, rule: registry.Rule) -> Optional[Severity]:
        """None when the rule is switched off."""
        override = self.rules.get(rule.id)
        if override is None:
            for alias in rule.aliases:
                override = self.rules.get(alias, override)
        if override is None:
            return rule.severity
        return None if override == "off" else Severity(override)

    def to_dict(self) -> dict[str, Any]:
        """The effective configuration for report.json."""
        return {
            "site": dataclasses.asdict(self.site),
            "crawl": dataclasses.asdict(self.crawl),
            "links": dataclasses.asdict(self.links),
            "history": {"path": self.history.path, "url": redact_password(self.history.url)},
            "notify": {"urls": [redact_url(u) for u in self.notify.urls], "on": self.notify.on},
            "report": dataclasses.asdict(self.report),
            "audits": {name: dataclasses.asdict(self.audit_options(name)) for name in sorted(registry.OPTIONS)},
            "rules": dict(self.rules),
            "ignore": {k: list(v) for k, v in self.ignore.items()},
            "source": self.source,
        }


def redact_url(url: str) -> str:
    """Only the scheme of an alert URL: passwords and tokens sit in any part of it
    (user:pass@, slack://TokenA/TokenB/TokenC, discord://id/token), so nothing else is safe to show.
    A ``$NAME`` entry (read from the environment when sending) names no secret and is shown as is."""
    if url.startswith("$") and "://" not in url:
        return url
    scheme, sep, _ = url.partition("://")
    return f"{scheme}://***" if sep else "***"


def redact_password(url: str) -> str:
    """A database URL with its password replaced by ***; a ``$NAME`` entry as it is."""
    parts = urlsplit(url)
    if "://" not in url or parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


def _convert(cls, data: Any, where: str):
    if not isinstance(data, dict):
        raise ConfigError(f"[{where}] must be a table")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for key, value in data.items():
        if key not in fields:
            raise ConfigError(_unknown_key(key, fields, f"{where}."))
        kwargs[key] = _value(hints[key], value, f"{where}.{key}")
    return cls(**kwargs)


def _unknown_key(key: str, known, prefix: str = "") -> str:
    # A misspelt key would otherwise be found only by reading the docs against the file.
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f"did you mean '{prefix}{close[0]}'?" if close else "known: " + ", ".join(sorted(known))
    return f"unknown config key '{prefix}{key}' ({hint})"


def _value(hint: Any, value: Any, where: str):
    origin = typing.get_origin(hint)
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"config key '{where}' must be a list of strings")
        return tuple(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config key '{where}' must be true or false")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config key '{where}' must be a number")
        return _in_range(float(value), where)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config key '{where}' must be a whole number")
        return _in_range(value, where)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"config key '{where}' must be a string")
        return value
    return value


# Every number in the configuration is a count, a size, a duration or a share: finite and
# not negative. These keys need more (a crawl of zero pages, or a timeout of zero, is a typo).
_AT_LEAST_ONE = frozenset({"crawl.max_pages", "crawl.concurrency", "crawl.concurrency_per_host"})
_ABOVE_ZERO = frozenset({"crawl.timeout_s", "crawl.max_response_mb"})


def _in_range(value, where: str):
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"config key '{where}' must be a finite number, not {value}")
    if where in _AT_LEAST_ONE and value < 1:
        raise ConfigError(f"config key '{where}' must be at least 1, not {value}")
    if where in _ABOVE_ZERO and value <= 0:
        raise ConfigError(f"config key '{where}' must be more than 0, not {value}")
    if value < 0:
        raise ConfigError(f"config key '{where}' must not be negative, not {value}")
    return value


_SEVERITIES = ("off", "error", "warning", "info")


def from_dict(data: dict[str, Any], source: str = "defaults") -> Config:
    registry.load()
    known = {"site", "crawl", "links", "history", "notify", "report", "audits", "rules", "ignore"}
    for key in data:
        if key not in known:
            raise ConfigError(f"{_unknown_key(key, known)} in {source}")
    audits = {}
    for name, section in (data.get("audits") or {}).items():
        if name not in registry.OPTIONS:
            raise ConfigError(f"{_unknown_key(name, registry.OPTIONS, 'audits.')} in {source}")
        audits[name] = _convert(registry.OPTIONS[name], section, f"audits.{name}")
    rules = {}
    for rule_id, value in (data.get("rules") or {}).items():
        if registry.get(rule_id) is None:
            raise ConfigError(f"unknown rule 'rules.{rule_id}' in {source} (see `siteproof rules`)")
        if value not in _SEVERITIES:
            raise ConfigError(f"rules.{rule_id} must be one of {', '.join(_SEVERITIES)}")
        rules[rule_id] = value
    ignore = {}
    for pattern, ids in (data.get("ignore") or {}).items():
        ids = [ids] if isinstance(ids, str) else ids
        if not isinstance(ids, list):
            raise ConfigError(f"ignore.\"{pattern}\" must be a list of rule ids")
        for rule_id in ids:
            if rule_id != "*" and registry.get(rule_id) is None:
                raise ConfigError(f"unknown rule '{rule_id}' in ignore.\"{pattern}\"")
        ignore[pattern] = tuple(ids)
    try:
        site = _convert(SiteConfig, data.get("site", {}), "site")
        _check_phone(site)
        return Config(
            site=site,
            crawl=_convert(CrawlConfig, data.get("crawl", {}), "crawl"),
            links=_convert(LinksConfig, data.get("links", {}), "links"),
            history=_convert(HistoryConfig, data.get("history", {}), "history"),
            notify=_notify(data.get("notify", {})),
            report=_convert(ReportConfig, data.get("report", {}), "report"),
            audits=audits,
            rules=rules,
            ignore=ignore,
            source=source,
        )
    except ConfigError as exc:
        raise ConfigError(f"{exc} in {source}") from None


def _check_phone(site: SiteConfig) -> None:
    # An unreadable number would silently make every phone rule fall back to guessing.
    from audits.phonetext import to_e164

    if site.phone and to_e164(site.phone, site.phone_region) is None:
        raise ConfigError(f"site.phone {site.phone!r} is not a phone number in region {site.phone_region!r} "
                          f"(write it as patients see it, e.g. \"(559) 425-1118\" or \"(559) 425-CARE\")")


def _notify(data: Any) -> NotifyConfig:
    notify = _convert(NotifyConfig, data, "notify")
    if notify.on not in NOTIFY_ON:
        raise ConfigError(f"notify.on must be one of {', '.join(NOTIFY_ON)}")
    return notify


def load_config(path: Optional[str] = None, cwd: Optional[Path] = None) -> Config:
    cwd = cwd or Path.cwd()
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"config file not found: {path}")
        return from_dict(_read_toml(file), str(file))
    own = cwd / "siteproof.toml"
    if own.is_file():
        return from_dict(_read_toml(own), str(own))
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        section = _read_toml(pyproject).get("tool", {}).get("siteproof")
        if section is not None:
            return from_dict(section, f"{pyproject} [tool.siteproof]")
    return from_dict({})


def config_argument(value: str) -> Config:
    """A config given as a spider argument (``-a config=...``): a file's path, or the TOML itself,
    so a Scrapyd node needs no shared files."""
    if "\n" not in value and "=" not in value:
        return load_config(value)
    try:
        return from_dict(tomllib.loads(value), "the inline config")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in the inline config: {exc}") from None


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {file}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {file}: {exc}") from None
