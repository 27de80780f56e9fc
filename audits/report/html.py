"""report.html: a self-contained page a person wants to read (inline CSS and JS, no CDN).

All crawled text goes through Jinja2 autoescaping; only http(s) URLs become
links, so a ``javascript:`` target on a crawled page renders as text. Long
lists are capped (the full data is in report.json and findings.csv) so a
2,000-page crawl still opens quickly.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import datetime
from functools import lru_cache
from typing import Any, Iterator, Optional
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from audits import __version__, registry
from audits.site import Report
from audits.model import Finding
from audits.report import consistency, trend
from audits.report.common import (LinkIndex, SEVERITY_ORDER, bidi_encoded, bidi_shown, by_target, by_target_records,
                                  duplicate_groups, finding_of, link_details, one_line, rule_meta, rules_in_order)

FORMAT = "html"
FILENAME = "report.html"

LIMITS = {
    "rows_per_rule": 200,  # findings listed under each rule
    "pages_grouped": 300,  # pages listed under "findings by page"
    "rows_per_page": 40,  # findings listed under each of those pages
    "pages_table": 2000,  # rows of the pages table
    "hardest": 50,  # articles in the readability table
    "top_targets": 50,  # rows in the broken / redirected target tables
    "pages_per_value": 25,  # pages listed for one phone number or URL variant
}


def safe_href(url: Optional[str]) -> Optional[str]:
    if url and urlsplit(url).scheme in ("http", "https"):
        return bidi_encoded(url)
    return None


def _shown(value: Any) -> Any:
    """Every printed value: a bidi control in a crawled title or URL is shown, never obeyed
    ("/rtl\u202egpj.exe" must not display as "/rtlexe.jpg")."""
    return bidi_shown(value) if isinstance(value, str) else value


def short_url(url: str, site_netloc: str) -> str:
    parts = urlsplit(url)
    if parts.netloc.lower() == site_netloc and parts.scheme in ("http", "https"):
        return (parts.path or "/") + ("?" + parts.query if parts.query else "") + (
            "#" + parts.fragment if parts.fragment else "")
    return url


_MD = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`")


def docs_html(markdown: str) -> Markup:
    """The registry's docstring markdown (bold, code, paragraphs), escaped first."""
    paras = [p for p in re.split(r"\n\s*\n", markdown.strip()) if p.strip()]
    out = []
    for p in paras:
        escaped = str(escape(" ".join(p.split())))
        out.append("<p>" + _MD.sub(lambda m: f"<strong>{m.group(1)}</strong>" if m.group(1)
                                   else f"<code>{m.group(2)}</code>", escaped) + "</p>")
    return Markup("\n".join(out))


def inline_md(text: str) -> Markup:
    """One line of our own Markdown (a rule description): `code` and **bold** only, escaped first."""
    escaped = str(escape(text))
    return Markup(_MD.sub(lambda m: f"<strong>{m.group(1)}</strong>" if m.group(1)
                          else f"<code>{m.group(2)}</code>", escaped))


def _duration(start: str, end: str) -> str:
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return ""
    s = int((b - a).total_seconds())
    return f"{s // 3600}h {s % 3600 // 60}m" if s >= 3600 else f"{s // 60}m {s % 60}s" if s >= 60 else f"{s}s"


class _View:
    def __init__(self, report: Report, limits: dict[str, int]):
        self.report = report
        self.limits = limits
        self.netloc = urlsplit(report.site or report.config.canonical_origin).netloc.lower()
        self.pages_by_url = {p.url: p for p in report.pages}
        self.links = LinkIndex(report.links, report.findings)
        self.known = report.known_ids()

    def page_label(self, url: str) -> str:
        return short_url(url, self.netloc)

    def row(self, f: Finding) -> dict[str, Any]:
        d = link_details(f, self.links)
        page = self.pages_by_url.get(f.url)
        ev = f.evidence or {}
        extra = []
        chain = ev.get("chain") or ev.get("redirect_chain")
        if isinstance(chain, list) and chain:
            hops = [f"{h.get('url', '')} ({h.get('status', '')})" if isinstance(h, dict) else str(h) for h in chain]
            extra.append("via " + " → ".join(hops))
        for key in ("status", "error", "raw", "shown", "source"):
            value = ev.get(key)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "" \
                    and str(value) not in f.message:
                extra.append(f"{key}: {value}")
        return {
            "sev": f.severity.value,
            "rule": f.rule,
            "url": f.url,
            "href": safe_href(f.url),
            "page": self.page_label(f.url),
            "title": (page.title if page else None) or "",
            "target": f.target or "",
            "target_href": safe_href(f.target),
            "target_label": short_url(f.target, self.netloc) if f.target else "",
            "message": f.message,
            "text": one_line(d["text"], 120),
            "context": d["context"],
            "line": d["line"],
            "source": f.source_path or "",
            "extra": one_line("; ".join(extra), 300),
            "known": id(f) in self.known,
        }

    def header(self) -> dict[str, Any]:
        r = self.report
        counts = r.counts()
        return {
            "site": r.site, "site_href": safe_href(r.site), "started": r.started_at, "finished": r.finished_at,
            "duration": _duration(r.started_at, r.finished_at), "counts": counts, "total": sum(counts.values()),
            "pages": len(r.pages), "articles": sum(1 for p in r.pages if p.is_article),
            "links_checked": r.links_checked, "partial": r.partial,
            "partial_reason": r.partial_reason or "only the files given", "baselined": r.baselined,
            "fixed": len(r.fixed), "version": __version__, "config_source": r.config.source,
        }

    def rules(self) -> list[dict[str, Any]]:
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for f in self.report.findings:
            by_rule[f.rule].append(f)
        out = []
        cap = self.limits["rows_per_rule"]
        for rule_id in rules_in_order(self.report.findings):
            fs = by_rule[rule_id]
            meta = rule_meta(rule_id)
            worst = max(fs, key=lambda f: f.severity.rank).severity.value
            repeated, single = by_target(fs)
            counts = Counter(f.severity.value for f in fs)
            out.append({
                "id": rule_id, "meta": meta, "sev": worst, "count": len(fs), "pages": len({f.url for f in fs}),
                "counts": counts,
                # Every row of a one-severity rule would repeat the badge its heading already shows.
                "mixed": len(counts) > 1,
                "repeated": [self.repeated(target, group) for _rule, target, group in repeated[:cap]],
                "repeated_more": max(len(repeated) - cap, 0),
                "rows": [self.row(f) for f in single[:cap]],
                "more": max(len(single) - cap, 0), "open": worst == "error" or len(fs) <= 10,
            })
        return out

    def repeated(self, target: str, fs: list[Finding]) -> dict[str, Any]:
        """One target found on many pages: one row, its pages behind a disclosure."""
        first = min(fs, key=lambda f: (f.url, f.line or 0))
        urls = sorted({f.url for f in fs})
        cap = self.limits["pages_per_value"]
        return {"sev": first.severity.value, "target": target, "target_href": safe_href(target),
                "target_label": short_url(target, self.netloc), "count": len(urls), "message": first.message,
                "pages": [{"href": safe_href(u), "label": self.page_label(u)} for u in urls[:cap]],
                "more": max(len(urls) - cap, 0)}

    def by_page(self) -> dict[str, Any]:
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in self.report.findings:
            groups[f.url].append(f)

        def badness(item):
            c = Counter(f.severity.value for f in item[1])
            return (-c["error"], -c["warning"], -len(item[1]), item[0])

        ordered = sorted(groups.items(), key=badness)
        cap, per = self.limits["pages_grouped"], self.limits["rows_per_page"]
        out = []
        for url, fs in ordered[:cap]:
            page = self.pages_by_url.get(url)
            fs = sorted(fs, key=lambda f: (-f.severity.rank, f.line or 0, f.rule))
            out.append({"url": url, "href": safe_href(url), "label": self.page_label(url),
                        "title": (page.title if page else None) or "",
                        "source": fs[0].source_path or "",
                        "counts": Counter(f.severity.value for f in fs), "count": len(fs),
                        "rows": [self.row(f) for f in fs[:per]], "more": max(len(fs) - per, 0)})
        return {"groups": out, "more": max(len(ordered) - cap, 0), "total": len(ordered)}

    def pages(self) -> dict[str, Any]:
        per_page = Counter(f.url for f in self.report.findings)
        worst: dict[str, str] = {}
        for f in self.report.findings:
            if f.url not in worst or f.severity.rank > {"error": 2, "warning": 1, "info": 0}[worst[f.url]]:
                worst[f.url] = f.severity.value
        cap = self.limits["pages_table"]
        rows = []
        for p in self.report.pages[:cap]:
            rows.append({"url": p.url, "href": safe_href(p.url), "label": self.page_label(p.url),
                         "status": p.status, "title": p.title or "", "words": p.word_count,
                         "grade": p.readability.flesch_kincaid_grade if p.readability else None,
                         "article": p.is_article, "findings": per_page.get(p.url, 0), "worst": worst.get(p.url)})
        return {"rows": rows, "more": max(len(self.report.pages) - cap, 0), "max_grade": self.max_grade()}

    def max_grade(self) -> float:
        return self.report.facts.max_grade

    def history(self) -> Optional[dict[str, Any]]:
        """"Since the last crawl": the run's since_last and trend as recorded (None without a history)."""
        if self.report.history is None:
            return None
        since = self.report.history["since_last"]
        cap = self.limits["rows_per_rule"]
        points = self.report.history["trend"]
        return {"since": since, "new": self.changes((since or {}).get("new_findings", []), cap),
                "fixed": self.changes((since or {}).get("fixed_findings", []), cap),
                "runs": len(points), "svg": Markup(trend.svg(points, self.max_grade()))}

    def changes(self, records: list[dict], cap: int) -> dict[str, Any]:
        """New or fixed findings: one row per target that changed on many pages, then the rest."""
        repeated, single = by_target_records(records)
        groups = [{**self.repeated(target, [finding_of(r) for r in group]), "rule": rule}
                  for rule, target, group in repeated[:cap]]
        return {"groups": groups, "rows": single[:cap],
                "more": max(0, len(repeated) - cap) + max(0, len(single) - cap)}

    def links_summary(self) -> dict[str, Any]:
        rows = self.report.links
        own = self.report.facts.identity.is_own
        outcome = Counter()
        contexts = Counter()
        targets = set()
        internal = 0
        is_internal: dict[str, bool] = {}  # a theme's links repeat on every page: each URL judged once
        for row in rows:
            target = (row.get("target") or "").split("#", 1)[0]
            targets.add(target)
            verdict = is_internal.get(target)
            if verdict is None:
                verdict = is_internal[target] = urlsplit(target).scheme in ("http", "https") and own(target)
            if verdict:
                internal += 1
            contexts[row.get("context") or "body"] += 1
            status, error = row.get("status"), row.get("error")
            if row.get("redirect_chain"):
                outcome["redirected"] += 1
            if error in ("not-checked", "ignored"):
                outcome[error] += 1
            elif error:
                outcome["failed to connect / " + str(error) if error != "robots-disallowed" else "robots-disallowed"] += 1
            elif status is None:
                outcome["not-checked"] += 1
            else:
                outcome[f"{status // 100}xx"] += 1
        findings = self.report.findings

        def top(rule: str) -> tuple[list[dict[str, Any]], int]:
            grouped: dict[str, list[Finding]] = defaultdict(list)
            for f in findings:
                if f.rule == rule and f.target:
                    grouped[f.target].append(f)
            ordered = sorted(grouped.items(), key=lambda kv: (-len({f.url for f in kv[1]}), kv[0]))
            cap = self.limits["top_targets"]
            out = []
            for target, fs in ordered[:cap]:
                ev = fs[0].evidence or {}
                chain = ev.get("chain") or ev.get("redirect_chain") or []
                codes = ", ".join(str(h.get("status", "")) for h in chain if isinstance(h, dict))
                final = " → ".join(x for x in (codes, ev.get("final_url") or "") if x)
                out.append({"target": target, "href": safe_href(target), "label": short_url(target, self.netloc),
                            "status": ev.get("status") or ev.get("error") or "", "final": final or "",
                            "pages": sorted({f.url for f in fs}), "count": len({f.url for f in fs})})
            return out, max(len(ordered) - cap, 0)

        broken, broken_more = top("broken-link")
        redirected, redirected_more = top("redirected-link")
        count = Counter(f.rule for f in findings)
        return {
            "links": len(rows), "targets": len(targets), "internal": internal, "external": len(rows) - internal,
            "checked": self.report.links_checked,
            "broken": count.get("broken-link", 0), "redirected": count.get("redirected-link", 0),
            "unverifiable": count.get("unverifiable-link", 0), "fragments": count.get("broken-fragment", 0),
            "broken_targets": len({f.target for f in findings if f.rule == "broken-link"}),
            "outcome": sorted(outcome.items(), key=lambda kv: (-kv[1], kv[0])),
            "contexts": sorted(contexts.items(), key=lambda kv: (-kv[1], kv[0])),
            "top_broken": broken, "top_broken_more": broken_more,
            "top_redirected": redirected, "top_redirected_more": redirected_more,
        }

    def readability(self) -> dict[str, Any]:
        max_grade = self.max_grade()
        scored = [p for p in self.report.pages if p.is_article and p.readability]
        grades = sorted(p.readability.flesch_kincaid_grade for p in scored)
        lo, hi = 5, 17  # bins: <5, 5..16 one grade each, 17+
        labels = [f"<{lo}"] + [str(g) for g in range(lo, hi)] + [f"{hi}+"]
        bins = [0] * len(labels)
        for g in grades:
            bins[0 if g < lo else len(labels) - 1 if g >= hi else int(math.floor(g)) - lo + 1] += 1
        # x in bin units: bin i spans [i, i+1); grade g (lo<=g<hi) sits at g-lo+1.
        threshold_x = min(max(max_grade, lo), hi) - lo + 1
        bars = []
        width, height, pad_l, pad_b, pad_t = 720, 220, 36, 34, 22
        bw = (width - pad_l - 10) / len(labels)
        peak = max(bins) or 1
        for i, (label, n) in enumerate(zip(labels, bins)):
            h = (height - pad_b - pad_t) * n / peak
            start = -math.inf if i == 0 else lo + i - 1
            end = lo if i == 0 else math.inf if i == len(labels) - 1 else lo + i
            over = "over" if start >= max_grade else "under" if end <= max_grade else "edge"
            bars.append({"x": pad_l + i * bw + 2, "y": height - pad_b - h, "w": bw - 4, "h": h, "n": n,
                         "label": label, "cx": pad_l + i * bw + bw / 2, "cls": over})
        hardest = sorted(scored, key=lambda p: (-p.readability.flesch_kincaid_grade, p.url))[: self.limits["hardest"]]
        above = sum(1 for g in grades if g > max_grade)
        median = grades[len(grades) // 2] if len(grades) % 2 else (
            (grades[len(grades) // 2 - 1] + grades[len(grades) // 2]) / 2 if grades else None)
        return {
            "max_grade": max_grade, "articles": len(scored), "above": above, "median": median,
            "unscored": sum(1 for p in self.report.pages if p.is_article and not p.readability),
            "svg": {"w": width, "h": height, "bars": bars, "base": height - pad_b, "top": pad_t,
                    "left": pad_l, "peak": peak, "tx": pad_l + threshold_x * bw},
            "hardest": [{
                "url": p.url, "href": safe_href(p.url), "label": self.page_label(p.url), "title": p.title or "",
                "grade": p.readability.flesch_kincaid_grade, "ease": p.readability.flesch_reading_ease,
                "words": p.word_count, "long_sentences": p.readability.long_sentence_share,
                "long_paragraphs": p.readability.long_paragraph_share,
                "sentence": one_line(p.readability.hardest_sentences[0], 220) if p.readability.hardest_sentences else "",
            } for p in hardest],
        }

    def consistency(self) -> dict[str, Any]:
        cap = self.limits["pages_per_value"]

        def pages(items):
            return [{"url": u, "href": safe_href(u), "label": self.page_label(u), "title": t or ""} for u, t in items[:cap]]

        phones = consistency.phones(self.report)
        variants = consistency.url_variants(self.report)
        return {
            "phones": [{**p, "page_list": pages(p["pages"]), "count": len(p["pages"]),
                        "more": max(len(p["pages"]) - cap, 0)} for p in phones],
            "variants": [{**v, "href": safe_href(v["origin"]), "page_list": pages(v["pages"]),
                          "count": len(v["pages"]), "more": max(len(v["pages"]) - cap, 0)} for v in variants],
            "configured_phone": self.report.config.site.phone,
            "shared": [{**g, "page_list": pages([(u, (self.pages_by_url[u].title if u in self.pages_by_url else ""))
                                                  for u in g["pages"]]),
                        "count": len(g["pages"]), "more": max(len(g["pages"]) - cap, 0)}
                       for g in duplicate_groups(self.report.findings)],
        }

    def glossary(self) -> list[dict[str, Any]]:
        ids = list(registry.load())
        ids += [r for r in rules_in_order(self.report.findings) if r not in ids]
        counts = Counter(f.rule for f in self.report.findings)
        out = []
        for rule_id in ids:
            meta = rule_meta(rule_id)
            rule = registry.get(rule_id)
            effective = meta["severity"]
            if rule is not None:
                sev = self.report.config.effective_severity(rule)
                effective = sev.value if sev else "off"
            out.append({**meta, "effective": effective, "count": counts.get(rule_id, 0),
                        "docs_html": docs_html(meta["docs"].split("\n", 1)[1] if "\n" in meta["docs"] else ""),
                        "help_href": safe_href(meta["help_uri"])})
        return out


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("audits.report", "templates"),
        autoescape=True,  # every crawled string is hostile until escaped
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_shown,
    )
    env.filters["pct"] = lambda v: "" if v is None else f"{v * 100:.0f}%"
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}"
    env.filters["md"] = inline_md
    env.filters["shorturl"] = lambda u: (urlsplit(u).path or "/") if u.startswith(("http://", "https://")) else u
    env.filters["plural"] = lambda n, word: f"{n:,} {word}" + ("" if n == 1 else "s")
    env.filters["grade"] = lambda v: "" if v is None else f"{v:.1f}"
    env.filters["safehref"] = safe_href
    return env



def render(report: Report, **opts: Any) -> str:
    return "".join(chunks(report, **opts))


def chunks(report: Report, **opts: Any) -> Iterator[str]:
    """report.html in pieces, written as the template produces them: rendered whole, a 1,700-page crawl's
    report held its 5 MB string and jinja's pieces of it at once (35 MB more at the crawl's peak)."""
    limits = {**LIMITS, **{k: int(v) for k, v in (opts.get("limits") or {}).items()}}
    view = _View(report, limits)
    template = _environment().get_template("report.html.j2")
    return template.generate(
        h=view.header(), rules=view.rules(), by_page=view.by_page(), pages=view.pages(),
        links=view.links_summary(), read=view.readability(), cons=view.consistency(),
        glossary=view.glossary(), severities=SEVERITY_ORDER, limits=limits,
        history=view.history(),
    )
