"""Deliver an alert to the [notify] URLs through Apprise (email, Slack, Teams, webhooks…).

The only module that talks to notification services. An alert is a courtesy:
one that cannot be delivered is a single warning line on stderr, never a failed
run, and nothing printed carries the URLs' passwords or tokens.
"""
from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence
from urllib.parse import unquote, urlsplit

from audits.alert import Alert, compose, should_notify
from audits.config import ConfigError, NotifyConfig, redact_url


_ENV_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def resolve(urls: Sequence[str]) -> list[str]:
    """The URLs with ``$NAME`` / ``${NAME}`` entries read from the environment, so a secret can
    live in a CI secret or a root-only EnvironmentFile instead of a committed siteproof.toml."""
    resolved = []
    for i, url in enumerate(urls):
        ref = _ENV_REF.fullmatch(url)
        if ref is None:
            resolved.append(url)
        elif os.environ.get(ref.group(1)):
            resolved.append(os.environ[ref.group(1)])
        else:
            raise ConfigError(f"notify.urls[{i}] names the environment variable {ref.group(1)}, which is not set")
    return resolved


def check_urls(urls: Sequence[str]) -> None:
    """Refuse, before any crawling, a URL Apprise does not understand."""
    if not urls:
        return
    import apprise

    for i, url in enumerate(resolve(urls)):
        with _Captured():  # Apprise's complaint quotes the URL half-masked: keep it off the terminal
            usable = apprise.Apprise().add(url)
        if not usable:
            raise ConfigError(f"notify.urls[{i}] ({redact_url(url)}) is not an Apprise URL siteproof can use")


def send(urls: Sequence[str], alert: Alert, *, warn: Callable[[str], None] | None = None) -> int:
    """Send ``alert`` to every URL; return how many took it. Failures go to ``warn``, one line each."""
    import apprise

    warn = warn or _stderr
    delivered = 0
    for i, url in enumerate(resolve(urls)):
        target = apprise.Apprise()
        reason = ""
        try:
            with _Captured() as log:
                ok = target.add(url) and bool(target.notify(title=alert.title, body=alert.body,
                                                            body_format=apprise.NotifyFormat.TEXT))
            reason = log.first()
        except Exception as exc:  # a plugin's own bug must not turn an alert into a failed crawl
            ok, reason = False, type(exc).__name__
        if ok:
            delivered += 1
        else:
            detail = f": {_scrub(reason, url)}" if reason else ""
            warn(f"siteproof: warning: alert not delivered to notify.urls[{i}] ({redact_url(url)}){detail}")
    return delivered


def after_run(notify: NotifyConfig, site: str, since_last: Optional[dict], new: Sequence[dict],
              out: Optional[Path]) -> bool:
    """Alert about a recorded run when [notify] asks for it; True when an alert was sent to anyone.

    ``since_last`` is report.json's (None on a site's first run), ``new`` the finding
    objects new since the last complete run (all of them on a first run).
    """
    if not notify.urls or not should_notify(notify.on, new):
        return False
    alert = compose(site, base=since_last["base"] if since_last else None, new=new,
                    fixed=since_last["fixed"] if since_last else 0, open=since_last["open"] if since_last else 0,
                    report=str((out / "report.html").resolve()) if out is not None else None)
    return send(notify.urls, alert) > 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


class _Captured(logging.Handler):
    """Apprise's warnings, kept from the terminal and the crawl log and read for a reason."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []
        self._logger = logging.getLogger("apprise")

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def first(self) -> str:
        return " ".join(self.messages[0].split()) if self.messages else ""

    def __enter__(self):
        self._propagate = self._logger.propagate
        self._logger.propagate = False
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc):
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate


def _scrub(text: str, url: str) -> str:
    """Apprise's reasons name hosts, but in case one quotes a token: blank every part of the URL
    but a dotted host name (slack://TokenA/… puts a token where the host goes)."""
    host = urlsplit(url).hostname or ""
    parts = re.split(r"[/:@?&=#]+", url.partition("://")[2])
    for part in {*parts, *map(unquote, parts)}:
        if len(part) >= 4 and not (part.lower() == host and "." in host):
            text = text.replace(part, "***")
    return text
