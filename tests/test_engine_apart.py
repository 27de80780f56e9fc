"""The audit's costliest rules run in forked processes on a large site (audits.forked.Forked).

Its findings must be exactly those of running it here, a rule that raises there must raise
here, and a child that dies without answering must cost nothing but the time.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from audits import registry
from audits.config import from_dict
from audits.engine import APART_RULES, _checked
from audits.forked import Forked
from audits.model import Hit, Severity
from audits.registry import Rule
from audits.site import Site

_HERE = Path(__file__).parent / "fixtures" / "related"
_spec = importlib.util.spec_from_file_location("related_evaluate_apart", _HERE / "evaluate.py")
evaluate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = evaluate
_spec.loader.exec_module(evaluate)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _site() -> Site:
    labelled = evaluate.fixture_site()
    config = from_dict({"site": {"start_urls": [labelled.origin + "/"]}})
    return Site.build(labelled.pages, (), config)


def test_the_related_rule_gives_the_same_findings_from_a_forked_process():
    site = _site()
    rule = registry.load()[APART_RULES[0]]
    severity = site.config.effective_severity(rule)
    apart = Forked(_checked, rule, severity, site)
    assert apart.pid != os.getpid()
    found = apart.result()
    here = _checked(rule, severity, site)
    assert found == here and len(found) >= 10  # the fixture's off-topic links
    assert {f.rule for f in found} == {rule.id}


@pytest.mark.parametrize("rule_id", APART_RULES)
def test_each_rule_run_apart_finds_on_the_demo_site_what_it_finds_here(rule_id):
    from audits.config import Config
    from audits.sources import pages_from_paths

    demo = Path(__file__).parent.parent / "crawler" / "demo_site"
    site = pages_from_paths([demo], Config(), path_base=demo).site()
    rule = registry.load()[rule_id]
    severity = site.config.effective_severity(rule)
    found = Forked(_checked, rule, severity, site).result()
    assert found == _checked(rule, severity, site) and found
    assert {f.rule for f in found} == {rule_id}


def _rule(func) -> Rule:
    return Rule(id="irrelevant-related-post", severity=Severity.WARNING, scope="site", func=func)


def test_a_rule_that_raises_in_the_child_raises_here():
    def broken(site, opts):
        raise ValueError(f"no topics on {len(site.pages)} pages")

    apart = Forked(_checked, _rule(broken), Severity.WARNING, _site())
    with pytest.raises(ValueError, match="no topics on"):
        apart.result()


def test_a_child_that_dies_without_answering_has_its_rule_run_here():
    parent = os.getpid()

    def dies_in_the_child(site, opts):
        if os.getpid() != parent:
            os._exit(3)
        yield Hit("ran in the parent", url=next(iter(site.pages)))

    found = Forked(_checked, _rule(dies_in_the_child), Severity.WARNING, _site()).result()
    assert [f.message for f in found] == ["ran in the parent"]
