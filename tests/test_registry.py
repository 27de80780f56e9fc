"""The registry against the report contract and the rule-case files.

Every registered rule needs a case file, docs with the fixed headings, and a
kebab-case id matching its function; every rule of the contract's minimum set
must be registered with the contract's severity.
"""
import re
import tomllib
from pathlib import Path

import pytest

from audits import registry

CASES = Path(__file__).parent / "rules" / "cases"

# The report contract (REPORT.md), "Rule ids (minimum set)": id -> (severity, module that declares it).
CONTRACT = {
    "broken-link": ("error", "audits.rules.links"),
    "unverifiable-link": ("warning", "audits.rules.links"),
    "redirected-link": ("warning", "audits.rules.links"),
    "broken-fragment": ("warning", "audits.rules.links"),
    "missing-cta": ("error", "audits.rules.cta"),
    "phone-mismatch": ("error", "audits.rules.phones"),
    "phone-format": ("info", "audits.rules.phones"),
    "url-mismatch": ("warning", "audits.rules.urls"),
    "hard-to-read": ("warning", "audits.rules.readability"),
    "thin-content": ("warning", "audits.rules.readability"),
    "missing-title": ("error", "audits.rules.onpage"),
    "duplicate-title": ("warning", "audits.rules.onpage"),
    "missing-meta-description": ("warning", "audits.rules.onpage"),
    "duplicate-meta-description": ("warning", "audits.rules.onpage"),
    "missing-h1": ("warning", "audits.rules.onpage"),
    "multiple-h1": ("warning", "audits.rules.onpage"),
    "missing-alt": ("warning", "audits.rules.onpage"),
    "orphan-page": ("warning", "audits.rules.sitemap"),
    "irrelevant-related-post": ("warning", "audits.rules.related"),
    "unlinked-source": ("info", "audits.rules.citations"),
}

HEADINGS = ("**Why it matters.**", "**Example.**", "**How to fix.**")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
RULES = registry.load()


def _case_files() -> dict[str, Path]:
    return {p.stem: p for p in sorted(CASES.glob("*.toml"))}


@pytest.mark.parametrize("rule_id, severity, module", [(r, s, m) for r, (s, m) in CONTRACT.items()],
                         ids=list(CONTRACT))
def test_contract_rule_is_registered_with_its_severity(rule_id, severity, module):
    assert rule_id in RULES, f"contract rule {rule_id!r} is not registered (expected in {module})"
    rule = RULES[rule_id]
    assert rule.severity.value == severity
    assert rule.func.__module__ == module


def test_every_registered_rule_has_a_case_file():
    missing = sorted(set(RULES) - set(_case_files()))
    assert not missing, "rules without tests/rules/cases/<id>.toml: " + ", ".join(
        f"{r} ({RULES[r].func.__module__})" for r in missing)


def test_every_case_file_names_a_registered_rule():
    unknown = sorted(set(_case_files()) - set(RULES))
    assert not unknown, f"case files for unknown rules: {', '.join(f'{u}.toml' for u in unknown)}"


def test_every_case_file_has_positive_and_negative_cases():
    lacking = []
    for rule_id, path in _case_files().items():
        cases = tomllib.loads(path.read_text(encoding="utf-8")).get("case", [])
        counts = [c.get("expect") if isinstance(c.get("expect"), int) else len(c.get("expect", ()))
                  for c in cases]
        if not any(n == 0 for n in counts) or not any(n > 0 for n in counts):
            lacking.append(path.name)
    assert not lacking, "case files need a case that fires and one that does not: " + ", ".join(lacking)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_id_and_function_name(rule_id):
    rule = RULES[rule_id]
    assert KEBAB.match(rule_id), f"{rule_id!r} is not kebab-case"
    assert rule.func.__name__ == rule_id.replace("-", "_")
    assert rule.scope in ("page", "site")
    assert rule.func.__module__ in registry.AUDIT_MODULES


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_docs_have_description_and_headings(rule_id):
    rule = RULES[rule_id]
    first = rule.description
    assert first and first.endswith("."), f"{rule_id}: first docs line must be a one-line sentence"
    assert rule.docs.splitlines()[1:2] in ([], [""]), f"{rule_id}: description must be one line"
    missing = [h for h in HEADINGS if h not in rule.docs]
    assert not missing, f"{rule_id}: docs lack {', '.join(missing)}"
    positions = [rule.docs.index(h) for h in HEADINGS]
    assert positions == sorted(positions), f"{rule_id}: headings out of order"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_options_section_is_registered(rule_id):
    rule = RULES[rule_id]
    if rule.options is not None:
        assert rule.options in registry.OPTIONS, f"{rule_id} reads unknown [audits.{rule.options}]"
