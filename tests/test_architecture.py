"""The dependency rules: audits/ never imports Scrapy or Twisted, rules and renderers never import the engine,
the spider never imports the runner, starting a crawl imports no HTML library it may not need,
test modules import shared helpers from tests/support/ only; generated docs stay current."""
import ast
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BLOCKED_IMPORT = textwrap.dedent("""
    import importlib, pkgutil, sys
    for name in ("scrapy", "twisted"):
        sys.modules[name] = None  # any import of them now raises ImportError
    import audits
    names = [m.name for m in pkgutil.walk_packages(audits.__path__, "audits.")]
    for name in names:
        importlib.import_module(name)
    from audits import registry
    from audits.extract import extract_page
    page = extract_page("https://clinic.test/", b"<title>x</title><h1>x</h1><a href='/a'>a</a>")
    assert page.links[0].target == "https://clinic.test/a"
    print(len(names), len(registry.load()))
""")


def test_audits_package_imports_and_runs_without_scrapy_or_twisted():
    proc = subprocess.run([sys.executable, "-c", BLOCKED_IMPORT], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    modules, rules = map(int, proc.stdout.split())
    assert modules >= 20 and rules >= 19


def test_rule_docs_are_generated_from_the_registry_and_current():
    from audits.docs import DOCS_FILE, rules_markdown

    assert DOCS_FILE.read_text(encoding="utf-8") == rules_markdown(), \
        "docs/rules.md is stale: run `python -m audits.docs`"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return imported | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


def test_rules_renderers_and_sources_never_import_the_engine():
    # They read a Site and show a Report (audits.site); only the CLI runs audit().
    for path in [*(REPO / "audits" / "rules").glob("*.py"), *(REPO / "audits" / "report").glob("*.py"),
                 REPO / "audits" / "sources.py", REPO / "audits" / "site.py"]:
        assert "audits.engine" not in _imports(path), path


def test_test_modules_import_neither_conftest_nor_each_other():
    # Fixtures come from conftest.py by name; importable helpers live in tests/support/.
    for path in (REPO / "tests").rglob("*.py"):
        bad = {m for m in _imports(path) if m.split(".")[-1] == "conftest" or m.split(".")[-1].startswith("test_")}
        assert not bad, f"{path.relative_to(REPO)} imports {sorted(bad)}"


def test_the_spider_and_the_pipeline_never_import_the_runner():
    # Results leave the spider as items and stats; the pipeline writes the record; crawler/run.py reads the stats.
    for name in ("spiders/site.py", "pipelines.py"):
        imported = _imports(REPO / "crawler" / name)
        assert "crawler.run" not in imported and "crawler.items" in imported, name


def test_starting_a_crawl_imports_no_html_library_it_may_not_need():
    """Start-up is a fifth of an unchanged re-crawl: bs4 (0.25 s to import) is needed only to read an
    unlabelled page's <meta charset>, and a re-crawl answered with 304s reads no page at all."""
    code = ("import sys, crawler.cli, crawler.run, crawler.job, crawler.spiders.site, crawler.extraction; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bs4', 'soupsieve')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
