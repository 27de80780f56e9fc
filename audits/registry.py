"""The one place rules are declared: id, default severity, docs, options.

A rule is a function decorated with ``page_rule`` or ``site_rule``. Its
docstring is its documentation and the docstring's first line is the one-line
description. Options are a frozen dataclass registered with ``options("name")``
and configured from ``[audits.<name>]``.
"""
from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Optional

from audits.model import Severity

# Explicit discovery, in report order. A module listed here is imported once and
# its decorators fill RULES and OPTIONS.
AUDIT_MODULES = (
    "audits.rules.links",
    "audits.rules.onpage",
    "audits.rules.sitemap",
    "audits.rules.readability",
    "audits.rules.cta",
    "audits.rules.phones",
    "audits.rules.urls",
    "audits.rules.related",
    "audits.rules.citations",
)

DOCS_BASE = "https://github.com/siteproof/siteproof/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    scope: str  # "page" (f(page, opts)) or "site" (f(site, opts))
    func: Callable[..., Any]
    options: Optional[str] = None  # name of the [audits.<name>] section it reads
    aliases: tuple[str, ...] = ()
    status: str = "stable"

    @property
    def docs(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def description(self) -> str:
        return self.docs.splitlines()[0] if self.docs else ""

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}#{self.id}"


RULES: dict[str, Rule] = {}
OPTIONS: dict[str, type] = {}  # section name -> dataclass
_loaded = False


def _register(rule: Rule) -> None:
    for key in (rule.id, *rule.aliases):
        if key in RULES:
            raise ValueError(f"duplicate rule id {key!r}")
    expected = rule.id.replace("-", "_")
    if rule.func.__name__ != expected:
        raise ValueError(f"rule {rule.id!r} must be implemented by a function named {expected}")
    if not rule.func.__doc__:
        raise ValueError(f"rule {rule.id!r} has no docstring (its docs)")
    RULES[rule.id] = rule


def _decorator(scope: str):
    def make(rule_id: str, severity: Severity, *, options: Optional[str] = None,
             aliases: tuple[str, ...] = (), status: str = "stable"):
        def wrap(func):
            _register(Rule(rule_id, Severity(severity), scope, func, options, aliases, status))
            return func
        return wrap
    return make


page_rule = _decorator("page")
site_rule = _decorator("site")


def options(name: str):
    """Register a dataclass as the options of the ``[audits.<name>]`` section."""

    def wrap(cls):
        if name in OPTIONS and OPTIONS[name] is not cls:
            raise ValueError(f"duplicate options section {name!r}")
        OPTIONS[name] = cls
        return cls

    return wrap


def load() -> dict[str, Rule]:
    """Import every audit module once; return the rules in declaration order."""
    global _loaded
    if not _loaded:
        for module in AUDIT_MODULES:
            importlib.import_module(module)
        # Declaration order within AUDIT_MODULES order, whatever was imported first.
        ordered = sorted(RULES.values(), key=lambda r: AUDIT_MODULES.index(r.func.__module__))
        RULES.clear()
        RULES.update((r.id, r) for r in ordered)
        _loaded = True
    return RULES


def get(rule_id: str) -> Optional[Rule]:
    rules = load()
    if rule_id in rules:
        return rules[rule_id]
    for rule in rules.values():
        if rule_id in rule.aliases:
            return rule
    return None
