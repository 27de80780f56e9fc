"""Configuration: search order, strictness, severity overrides."""
import pytest

from audits import registry
from audits.config import ConfigError, from_dict, load_config


def test_defaults_when_no_file(tmp_path):
    config = load_config(cwd=tmp_path)
    assert config.source == "defaults"
    assert config.crawl.max_pages == 10000
    assert config.crawl.obey_robots is True
    assert config.audit_options("readability").max_grade == 8.0


def test_siteproof_toml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.siteproof.crawl]\nmax_pages = 5\n')
    assert load_config(cwd=tmp_path).crawl.max_pages == 5
    (tmp_path / "siteproof.toml").write_text('[crawl]\nmax_pages = 7\n')
    assert load_config(cwd=tmp_path).crawl.max_pages == 7


def test_explicit_file_wins(tmp_path):
    (tmp_path / "siteproof.toml").write_text('[crawl]\nmax_pages = 7\n')
    other = tmp_path / "other.toml"
    other.write_text('[site]\nphone = "(559) 425-1118"\n[audits.readability]\nmax_grade = 6\n')
    config = load_config(str(other), cwd=tmp_path)
    assert config.site.phone == "(559) 425-1118"
    assert config.crawl.max_pages == 10000
    assert config.audit_options("readability").max_grade == 6.0


@pytest.mark.parametrize("data, words", [
    ({"crawl": {"max_page": 3}}, "crawl.max_page"),
    ({"audits": {"readability": {"max_grad": 3}}}, "audits.readability.max_grad"),
    ({"audits": {"nope": {}}}, "audits.nope"),
    ({"sites": {}}, "sites"),
    ({"rules": {"no-such-rule": "off"}}, "no-such-rule"),
    ({"rules": {"hard-to-read": "loud"}}, "hard-to-read"),
    ({"crawl": {"max_pages": "ten"}}, "crawl.max_pages"),
    ({"site": {"aliases": "https://www.x.test"}}, "site.aliases"),
    ({"site": {"phone": "call us"}}, "site.phone 'call us' is not a phone number"),
    # The parenthesised digits must be the letters spelled out: 2274 is not CARE.
    ({"site": {"phone": "(555) 010-CARE (2274)"}}, "site.phone"),
])
def test_unknown_or_wrong_keys_are_named(data, words):
    with pytest.raises(ConfigError) as err:
        from_dict(data, "siteproof.toml")
    assert words in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("data, words", [
    ({"crawl": {"concurency": 4}}, "(did you mean 'crawl.concurrency'?) in siteproof.toml"),
    ({"audits": {"readabilty": {}}}, "(did you mean 'audits.readability'?)"),
    ({"crawll": {}}, "(did you mean 'crawl'?)"),
    # Nothing close: the table's keys are listed instead.
    ({"crawl": {"external_links": False}}, "(known: check_external, concurrency,"),
])
def test_a_misspelt_key_is_answered_with_the_key_meant(data, words):
    with pytest.raises(ConfigError) as err:
        from_dict(data, "siteproof.toml")
    assert words in str(err.value)


@pytest.mark.parametrize("section, key, value, words", [
    ("crawl", "max_pages", -1, "at least 1"),
    ("crawl", "max_pages", 0, "at least 1"),
    ("crawl", "max_depth", -1, "not be negative"),
    ("crawl", "concurrency", 0, "at least 1"),
    ("crawl", "concurrency_per_host", 0, "at least 1"),
    ("crawl", "delay_s", -1, "not be negative"),
    ("crawl", "retries", -1, "not be negative"),
    ("crawl", "timeout_s", -5, "more than 0"),
    ("crawl", "timeout_s", float("nan"), "finite"),
    ("crawl", "timeout_s", float("inf"), "finite"),
    ("crawl", "max_response_mb", 0, "more than 0"),
    ("crawl", "max_retry_after_s", -0.5, "not be negative"),
    ("crawl", "workers", -2, "not be negative"),
    ("audits.readability", "max_grade", float("nan"), "finite"),
    ("audits.readability", "min_words", -10, "not be negative"),
    ("audits.related", "max_flagged_similarity", -0.1, "not be negative"),
    ("audits.related", "top_terms", -1, "not be negative"),
])
def test_numbers_out_of_range_are_named(section, key, value, words):
    data: dict = {}
    node = data
    for part in section.split("."):
        node = node.setdefault(part, {})
    node[key] = value
    with pytest.raises(ConfigError) as err:
        from_dict(data, "siteproof.toml")
    message = str(err.value)
    assert f"{section}.{key}" in message and words in message and "\n" not in message


def test_edge_values_in_range_are_accepted():
    config = from_dict({"crawl": {"max_pages": 1, "max_depth": 0, "delay_s": 0, "retries": 0, "workers": 0,
                                  "timeout_s": 0.5},
                        "audits": {"related": {"max_flagged_similarity": 2.0, "top_terms": 0}}})
    assert (config.crawl.max_pages, config.crawl.max_depth, config.crawl.retries) == (1, 0, 0)
    assert config.audit_options("related").top_terms == 0


def test_invalid_toml_is_a_config_error(tmp_path):
    bad = tmp_path / "siteproof.toml"
    bad.write_text("[crawl\nmax_pages = 1\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(cwd=tmp_path)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(str(tmp_path / "nope.toml"))


def test_severity_override_and_off():
    rules = registry.load()
    config = from_dict({"rules": {"hard-to-read": "error", "thin-content": "off"}})
    assert config.effective_severity(rules["hard-to-read"]).value == "error"
    assert config.effective_severity(rules["thin-content"]) is None


def test_canonical_origin_defaults_to_first_start_url():
    config = from_dict({"site": {"start_urls": ["https://clinic.test/blog/"]}})
    assert config.canonical_origin == "https://clinic.test"
    config = from_dict({"site": {"start_urls": ["https://clinic.test/"], "canonical_url": "https://www.clinic.test/"}})
    assert config.canonical_origin == "https://www.clinic.test"


def test_effective_config_is_reported():
    data = from_dict({"site": {"phone": "(559) 425-1118"}}).to_dict()
    assert data["site"]["phone"] == "(559) 425-1118"
    assert data["audits"]["readability"]["max_grade"] == 8.0


def test_history_url_comes_from_the_environment_and_reports_hide_its_password(monkeypatch):
    config = from_dict({"history": {"url": "postgresql://crawler:s3cret@127.0.0.1:5432/siteproof"}})
    assert config.history.location == "postgresql://crawler:s3cret@127.0.0.1:5432/siteproof"
    assert config.to_dict()["history"]["url"] == "postgresql://crawler:***@127.0.0.1:5432/siteproof"
    named = from_dict({"history": {"url": "$SITEPROOF_TEST_HISTORY"}})
    monkeypatch.delenv("SITEPROOF_TEST_HISTORY", raising=False)
    with pytest.raises(ConfigError, match=r"\$SITEPROOF_TEST_HISTORY, which is not set"):
        named.history.location
    monkeypatch.setenv("SITEPROOF_TEST_HISTORY", "postgresql://127.0.0.1/h")
    assert named.history.location == "postgresql://127.0.0.1/h"
    assert from_dict({}).history.location == ".siteproof/history.sqlite"
