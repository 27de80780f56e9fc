"""Related-post relevance: irrelevant-related-post.

Which links are related posts. Extraction records every block the page marks as related
(``audits/relatedblocks.py``: plugin and theme class names, or a "You may also like" heading over
a block of links) with its evidence; this module decides. Left out: blocks whose class names say
they list the newest posts (``widget_recent_entries``, ``wp-block-latest-posts``), and blocks that
show the same link set on most of the pages carrying them (a post list that always shows the
three newest posts is not a selection for each article).

Whether a related post is off-topic is judged only with evidence that transfers between sites:

1. The site's own structure: categories, tags, breadcrumbs (recorded in ``Page.topics``) and
   URL folders. A topic carried by more than ``max_topic_share`` of the articles is a catch-all
   ("Blog", "News"); URL folders count only on a site that files its articles in two or more
   folders. A shared topic keeps a pair quiet, whatever the text says.
2. The text, relative to the site. Each article becomes a topic signature: its title (with the
   site-name segment that every title shares removed, plus a differing h1) counted
   ``title_weight`` times, its own section headings ``heading_weight`` times, and its body;
   English stop words and generic words ("week", "people", "feel") dropped; simple English
   suffixes folded ("infusions", "erections"). Words are weighted by TF-IDF fitted on the site's
   articles and each article keeps its ``top_terms`` strongest terms, compared by cosine. The
   *site scale* is the median, over the articles, of each one's similarity to its nearest other
   article. A pair is off-topic when its similarity is below ``min_relative_similarity`` times
   that scale (and below the absolute ``max_flagged_similarity``).
3. When the structure says nothing (no topics, or none on one side), a pair the text finds far
   apart is still left alone if a third article is at least ``bridge_share`` of the scale (and
   ``max_flagged_similarity``) like both: "Signs of treatment-resistant depression" and "What to expect at a ketamine infusion"
   share no topic words, but the site's "Ketamine for depression" is close to both. When both
   carry topics and share none, the structure and the text agree and no bridge is asked for.

No hand-made vocabulary: an earlier version joined clinic synonyms ("TRT" = "testosterone");
that list does not transfer to a dental or therapy practice's site and was dropped.

Sites with fewer than ``min_articles`` judged articles have no reliable scale: there only pairs
with next to no shared topic terms (cosine below ``small_site_similarity``) are flagged.

Why the site-name segment is stripped from titles: on the demo site every title ends
"| Valley Wellness & Ketamine Clinic", which gave "ketamine" the lowest possible IDF. Why
headings shared by two or more articles, and headings that are another article's title, are
skipped: those are template widgets ("Recent Posts"), stock section names ("Side effects") and
the related-post titles themselves, which would make any linked pair look related.

Measured on three hand-labelled sites (tests/fixtures/related/; ``.venv/bin/python
tests/fixtures/related/evaluate.py -v`` prints every pair), off-topic links the positive class,
"unsure" links left out: fixture (14 articles, 21 on / 27 off), demo (crawler/demo_site, 25
articles, 69 on / 1 off) and clinic (tests/sites/clinic, 22 articles, 42 on / 2 off). Without
the synonym list, off-topic links reach at most 0.21 of the site scale and on-topic links start
at 0.28; ``min_relative_similarity`` from 0.23 to 0.30 keeps precision and recall 1.00 on all
three, and 0.25 sits in the middle. Real sites: docs/accuracy.md ("Related posts").

Why pure Python and not scikit-learn: a clinic site has tens to a few hundred articles of a few
hundred distinct terms each; sparse dicts and an inverted index score the 25 demo articles in a
few milliseconds, without numpy and scipy in every install.

Pairs are judged only when both pages are crawled articles; related links to pages that were not
crawled are skipped rather than guessed at. An article under ``min_words`` words (a code snippet, a
picture and its caption) has too little text for a similarity to mean much, so it is read against the
site's vocabulary (weighed on the full-length articles) and a pair with such a post is flagged only
when the two share no topic term at all; it takes no part in the site scale, bridges or suggestions.
Measured on three real sites (docs/accuracy.md, "Related posts"): recall on letmecompile 0.53 -> 0.70
and on ka.lpe.sh 0.17 -> 0.67 with no on-topic link flagged; 40 of the new findings judged after the
run were off-topic 29 times, unsure 11, on-topic never.
"""
from __future__ import annotations

import dataclasses
import math
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Iterable, Iterator, Optional
from urllib.parse import urlsplit

from audits.identity import slash_twin
from audits.model import Hit, Page, RelatedBlock
from audits.relatedblocks import is_recent_marker
from audits.registry import options, site_rule

if TYPE_CHECKING:
    from audits.site import Site


@options("related")
@dataclass(frozen=True)
class RelatedOptions:  # [audits.related]
    min_relative_similarity: float = 0.25  # flag below this fraction of the site scale (measured; see docs)
    max_flagged_similarity: float = 0.12  # a pair at least this similar (cosine) is never flagged
    min_articles: int = 6  # fewer judged articles than this: no site scale, only near-zero pairs are flagged
    small_site_similarity: float = 0.02  # the cosine below which a pair is flagged on such a small site
    min_words: int = 150  # shorter articles are judged only when they share no topic term with the other post
    title_weight: int = 3  # how many times the title's words count, against the body's once
    heading_weight: int = 1  # how many times the article's own section headings count
    top_terms: int = 25  # each article is compared by its this-many most distinctive terms (0 = all)
    bridge_share: float = 0.5  # a third article this share of the site scale like both ends keeps a pair quiet
    max_topic_share: float = 0.4  # a category, tag or URL section on more of the articles than this is a catch-all


# A standard English stop list (function words only: topic words stay).
STOP_WORDS = frozenset("""
a about above after again against all almost also am among an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each either else enough even ever every few for from further get gets getting give
given go goes going got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself just
least less let's like likely made make makes many may maybe me might more most much must mustn't my
myself neither never no nor not now of off often on once one only or other others ought our ours
ourselves out over own per perhaps put quite rather really same say says shall shan't she she'd she'll
she's should shouldn't since so some such than that that's the their theirs them themselves then there
there's therefore these they they'd they'll they're they've this those though through thus to too
toward towards under until up upon us use used uses using very via was wasn't way we we'd we'll we're
we've well were weren't what what's when when's where where's whether which while who who's whom whose
why why's will with within without won't would wouldn't yet you you'd you'll you're you've your yours
yourself yourselves
""".split())

# Generic English words that say nothing about a topic (time, quantity, effort). On the fixtures
# they made unrelated posts look alike: "dose", "week", "people", "feel" were the top shared terms.
GENERIC_WORDS = frozenset("""
able across actually add added ago ahead allow almost alone already although always another anyone
anything anyway apart around ask asked away back become becomes began begin best better big bit came
come comes common day days different done early easier easy end ever every everyone everything far feel
feeling feels find first five following four full gets good great half hand happen happens help helps
high hour hours important keep kind know large last later less level little long look lot low lower main
many matter mean means minute minutes month months more new next night nine often old once part people
person place plan point possible quick quickly real right said see seem seems set seven several short
show side simple since six small someone something sometimes soon start started starts step still sure
take takes taking tell ten thing things think third three time times today together took try trying turn
two understand usually want week weeks went whole work works year years
""".split())

# Cosine above which two signatures are near-copies of one article, left out of the site scale.
NEAR_DUPLICATE = 0.8

_TOKEN = re.compile(r"[a-z][a-z0-9'’-]*[a-z0-9]|[a-z]")
# Title segments are split on these separators ("Post title | Site name", "Site - Post title").
_TITLE_SEPARATOR = re.compile(r"\s+[|–—·•:-]\s+")
# Longest first; (suffix, replacement). Only applied when at least 4 letters remain.
_SUFFIXES = (("ational", "ate"), ("ization", "ize"), ("ation", "ate"), ("ing", ""), ("edly", ""), ("ed", ""),
             ("ly", ""), ("ness", ""), ("ment", ""), ("ion", ""), ("ive", ""), ("ile", ""), ("al", ""),
             ("ic", ""), ("e", ""))


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    """Fold plurals and common English suffixes so "infusions" meets "infusion", "erectile" meets "erection"."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + replacement
    return word


def tokens(text: str) -> list[str]:
    return [t for t in map(_token, _TOKEN.findall(text.lower())) if t]


def term_counts(text: str) -> Counter[str]:
    """``Counter(tokens(text))``, keys in the same order, each distinct word folded once.

    A body of a thousand words holds a few hundred distinct ones: counting the words as written
    before folding them skips most lookups (tokenising was a third of this rule's time).
    """
    counts: Counter[str] = Counter()
    for raw, n in Counter(_TOKEN.findall(text.lower())).items():
        term = _token(raw)
        if term:
            counts[term] += n
    return counts


@lru_cache(maxsize=100_000)  # a site's articles share most of their words: each is judged once
def _token(raw: str) -> str:
    """The stem a word counts as, or "" for a word that says nothing of the topic."""
    raw = raw.strip("'’-")
    if len(raw) < 2 or raw in STOP_WORDS or raw in GENERIC_WORDS or raw.isdigit():
        return ""
    return _stem(raw)


Vector = dict[str, float]


def tfidf(docs: dict[str, list[str] | Counter[str]], top_terms: int = 0,
          fitted_on: Optional[set[str]] = None) -> dict[str, Vector]:
    """L2-normalised TF-IDF vectors (sublinear tf, smoothed idf) for token lists (or their counts) keyed by URL.

    With ``top_terms``, each vector keeps only its highest-weighted terms: the
    article's topic signature, without the long tail of incidental words.
    """
    fit = [toks for key, toks in docs.items() if fitted_on is None or key in fitted_on]
    n = len(fit)
    df: Counter[str] = Counter()
    for toks in fit:
        df.update(set(toks))
    idf = {t: math.log((1 + n) / (1 + df[t])) + 1.0 for t in set().union(*docs.values())}
    vectors = {}
    for key, toks in docs.items():
        vec = {t: (1.0 + math.log(c)) * idf[t] for t, c in Counter(toks).items()}
        if top_terms > 0:
            vec = dict(sorted(vec.items(), key=lambda kv: (-kv[1], kv[0]))[:top_terms])
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vectors[key] = {t: v / norm for t, v in vec.items()}
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def site_name_segments(titles: Iterable[str]) -> set[str]:
    """Title segments shared by many articles: the site's name, not the article's topic."""
    titles = [t for t in titles if t]
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update({s.strip().lower() for s in _TITLE_SEPARATOR.split(title)})
    return {s for s, c in counts.items() if c >= max(3, 0.3 * len(titles))}


def topic_line(page: Page, site_segments: set[str]) -> str:
    """The article's own title: the site-name segment dropped, an h1 that says more added."""
    title = " ".join(s for s in _TITLE_SEPARATOR.split(page.title or "") if s.strip().lower() not in site_segments)
    h1 = page.h1s[0] if page.h1s else ""
    if h1 and h1.strip().lower() != title.strip().lower():
        title = f"{title} {h1}"
    return title.strip()


def article_vectors(pages: Iterable[Page], opts: RelatedOptions) -> dict[str, Vector]:
    """TF-IDF topic signatures of the articles, keyed by page URL (short ones weighed by the others' vocabulary)."""
    return _signatures(pages, opts)[0]


def _signatures(pages: Iterable[Page], opts: RelatedOptions) -> tuple[dict[str, Vector], dict[str, str]]:
    pages = list(pages)
    articles = [p for p in pages if p.is_article and p.word_count >= opts.min_words]
    short = [p for p in pages if p.is_article and p.word_count < opts.min_words]
    segments = site_name_segments(p.title or "" for p in articles + short)
    titles = {p.url: topic_line(p, segments) for p in articles + short}
    # Another article's title as a heading is a related-post entry; a heading on several articles is template.
    other_titles = {t.lower() for t in titles.values()} | {h.lower() for p in articles for h in p.h1s}
    heading_df: Counter[str] = Counter()
    for p in articles:
        heading_df.update({h.text.strip().lower() for h in p.headings if h.level > 1})
    docs = {}
    for p in articles + short:
        own_headings = [h.text for h in p.headings if h.level > 1 and heading_df[h.text.strip().lower()] == 1
                        and h.text.strip().lower() not in other_titles]
        # Counts in the order the words first appear in title, headings, body: the order a token
        # list would give, so the vectors' sums add up in the same order.
        counts: Counter[str] = Counter()
        for text, weight in ((titles[p.url], opts.title_weight), (" ".join(own_headings), opts.heading_weight)):
            if weight > 0:
                counts.update({t: n * weight for t, n in term_counts(text).items()})
        counts.update(term_counts(p.body_text))
        docs[p.url] = counts
    # The site's vocabulary is weighed on the full-length articles only: a short post is read against it.
    vectors = tfidf(docs, opts.top_terms, {p.url for p in articles})
    return {url: vec for url, vec in vectors.items() if vec}, titles


def _postings(vectors: dict[str, Vector]) -> dict[str, tuple[list[int], list[float]]]:
    """term -> the positions (in ``vectors``) of the articles holding it, and its weight in each."""
    postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for i, vec in enumerate(vectors.values()):
        for term, weight in vec.items():
            at, weights = postings[term]
            at.append(i)
            weights.append(weight)
    return dict(postings)


def _row(vectors: dict[str, Vector], postings: dict[str, tuple[list[int], list[float]]],
         key: str) -> dict[str, float]:
    """``key``'s cosine to every article sharing a term, keyed in the order they were first met.

    The sums run over ``key``'s terms in order, as a dict of running totals would; a list
    indexed by position does the same additions several times faster (this is the audit's
    largest loop on a site whose articles share their vocabulary).
    """
    urls = list(vectors)
    totals = [0.0] * len(urls)
    lists = []
    for term, weight in vectors[key].items():
        at, weights = postings[term]
        lists.append(at)
        for i, w in zip(at, weights):
            totals[i] += weight * w
    own = urls.index(key)
    return {urls[i]: totals[i] for i in dict.fromkeys(chain.from_iterable(lists)) if i != own}


# Articles sampled for the site scale: all of them on a typical clinic blog; on a large site
# an even sample, since all-pairs similarity grows with the square of the articles.
SCALE_SAMPLE = 150


@dataclass(frozen=True)
class SiteTopics:
    """The site's article signatures and its scale of "closely related"."""

    vectors: dict[str, Vector]
    postings: dict[str, tuple[list[int], list[float]]]
    scale: Optional[float]  # median nearest-article similarity; None when the site is too small to say
    titles: dict[str, str]  # URL -> the article's own title (no site name)
    _rows: dict[str, dict[str, float]] = field(default_factory=dict)
    short: frozenset[str] = frozenset()  # articles under min_words: judged only when no topic term is shared

    def row(self, key: str) -> dict[str, float]:
        """``key``'s nonzero cosine to every other full-length article, computed when first asked for."""
        if key not in self._rows:
            self._rows[key] = {u: v for u, v in _row(self.vectors, self.postings, key).items() if u not in self.short}
        return self._rows[key]

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        if len(vb) < len(va):
            va, vb = vb, va
        return sum(w * vb.get(term, 0.0) for term, w in va.items())

    def threshold(self, opts: RelatedOptions) -> float:
        """The cosine below which a related post is off-topic on this site."""
        if self.scale is None:
            return opts.small_site_similarity
        return min(opts.min_relative_similarity * self.scale, opts.max_flagged_similarity)

    def rank(self, source: str, target: str) -> int:
        """1 when ``target`` is the article most like ``source``; len(vectors) - 1 at worst."""
        score = self.similarity(source, target)
        row = self.row(source)
        return 1 + sum(1 for url in self.vectors if url not in (source, target) and row.get(url, 0.0) > score
                       and url not in self.short)


def site_topics(pages: Iterable[Page], opts: RelatedOptions) -> SiteTopics:
    pages = list(pages)
    vectors, titles = _signatures(pages, opts)
    short = frozenset(p.url for p in pages if p.url in vectors and p.word_count < opts.min_words)
    topics = SiteTopics(vectors, _postings(vectors), None, titles, short=short)
    keys = sorted(set(vectors) - short)
    if len(keys) > SCALE_SAMPLE:
        keys = [keys[i * len(keys) // SCALE_SAMPLE] for i in range(SCALE_SAMPLE)]
    # A near-copy (a location page cloned per town) says nothing about how alike distinct articles are.
    nearest = [max((v for v in topics.row(k).values() if v < NEAR_DUPLICATE), default=0.0) for k in keys]
    scale = statistics.median(nearest) if len(keys) >= max(opts.min_articles, 2) else None
    return dataclasses.replace(topics, scale=scale, _rows=topics._rows)


def resolve(site: "Site", url: str) -> Optional[Page]:
    """The crawled page a related-post link leads to, trying its ``slash_twin`` too."""
    return site.page_at(url) or site.page_at(slash_twin(url))


# ---------------------------------------------------------------- which blocks are related posts

# A link set shown on at least this share of the pages carrying a block (and on 3 pages at least)
# is the site's latest or popular posts, not a selection for each article.
SITE_WIDE_SHARE = 0.5


def _is_recent_widget(block: RelatedBlock) -> bool:
    return any(is_recent_marker(m) for m in block.markers)


def related_links(pages: Iterable[Page]) -> dict[str, tuple[str, ...]]:
    """Page URL -> the links of its related-post blocks, in order.

    Left out: latest-posts widgets (their class names say so) and blocks that show the same link
    set on most of the pages that carry them (Elementor or Divi post lists under a "You may also
    like" heading that always show the newest posts). A block may differ from that set by one
    link in each direction: on one of the newest posts, the widget leaves that post out.
    """
    pages = list(pages)
    slots: dict[tuple[str, str], list[tuple[str, RelatedBlock]]] = defaultdict(list)
    for page in pages:
        for block in page.related_blocks:
            if not _is_recent_widget(block):
                slots[(block.place, block.heading.lower())].append((page.url, block))
    site_wide: set[int] = set()
    for entries in slots.values():
        sets = [frozenset(link.split("#", 1)[0] for link in b.links) for _u, b in entries]
        common, count = Counter(sets).most_common(1)[0] if sets else (frozenset(), 0)
        if count >= 3 and count >= SITE_WIDE_SHARE * len({u for u, _b in entries}):
            site_wide.update(id(b) for (_u, b), links in zip(entries, sets)
                             if len(links - common) <= 1 and len(common - links) <= 1)
    out: dict[str, tuple[str, ...]] = {}
    for page in pages:
        if not page.related_blocks:
            if page.related_posts:  # a page model without blocks (an older stored crawl, a built page)
                out[page.url] = page.related_posts
            continue
        links = dict.fromkeys(link for b in page.related_blocks
                              if not _is_recent_widget(b) and id(b) not in site_wide for link in b.links)
        if links:
            out[page.url] = tuple(links)
    return out


# ---------------------------------------------------------------- what the site says a page is about

_DATE_PART = re.compile(r"^\d+$")


def url_sections(url: str) -> list[str]:
    """The folders of a URL's path, dates left out: /blog/ketamine/2024/05/post/ -> blog, ketamine."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return [p.lower() for p in parts[:-1] if not _DATE_PART.match(p)]


@dataclass(frozen=True)
class SiteTaxonomy:
    """Each article's informative topics: its categories, tags, breadcrumbs and URL folders.

    A topic shared by more than ``max_topic_share`` of the articles ("Blog", "News", the one
    folder every post sits in) says nothing about any pair. URL folders count only on a site
    whose articles sit in two or more folders: a site with every post under /blog/ does not
    classify its posts by URL.
    """

    terms: dict[str, frozenset[str]]

    @classmethod
    def build(cls, articles: list[Page], max_share: float) -> "SiteTaxonomy":
        raw: dict[str, set[str]] = {}
        folders: Counter[str] = Counter()
        for p in articles:
            terms = {"topic:" + t.split(":", 1)[1] for t in p.topics if ":" in t}
            sections = set(url_sections(p.url))
            folders.update(sections)
            raw[p.url] = terms | {"folder:" + s for s in sections}
        by_folders = sum(1 for c in folders.values() if c >= 2) >= 2
        df: Counter[str] = Counter(t for terms in raw.values() for t in terms)
        limit = max(max_share * len(articles), 1)
        keep = {t for t, c in df.items() if c <= limit and (by_folders or not t.startswith("folder:"))}
        return cls({url: frozenset(terms & keep) for url, terms in raw.items()})

    def evidence(self, a: str, b: str) -> tuple[set[str], bool]:
        """(the topics both share, whether both carry topics and share none)."""
        ta, tb = self.terms.get(a, frozenset()), self.terms.get(b, frozenset())
        shared = set(ta & tb)
        return shared, bool(ta and tb and not shared)


def bridge(topics: "SiteTopics", source: str, target: str, floor: float) -> Optional[str]:
    """An article at least ``floor`` like both ends: the two sit in one topic the site writes about."""
    row_s, row_t = topics.row(source), topics.row(target)
    best, best_url = 0.0, None
    for url, score in row_s.items():
        if url != target and score >= floor:
            other = row_t.get(url, 0.0)
            if other >= floor and min(score, other) > best:
                best, best_url = min(score, other), url
    return best_url


def _surface_words(pages: Iterable[Page]) -> dict[str, str]:
    """Stem -> the word it most often stands for on the site, to show terms as writers wrote them."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for page in pages:
        for raw in _TOKEN.findall(f"{page.title or ''} {page.body_text}".lower()):
            raw = raw.strip("'’-")
            if len(raw) >= 2:
                seen[_stem(raw)][raw] += 1
    return {stem: words.most_common(1)[0][0] for stem, words in seen.items()}


def topic_terms(vector: Vector, surface: dict[str, str], n: int = 3) -> list[str]:
    """The article's ``n`` strongest topic words as written."""
    ranked = sorted(vector.items(), key=lambda kv: (-kv[1], kv[0]))
    return [surface.get(term, term) for term, _ in ranked[:n]]


def judge(topics: SiteTopics, taxonomy: SiteTaxonomy, source: str, target: str,
          opts: RelatedOptions) -> Optional[dict]:
    """The evidence that ``target`` is off-topic on ``source``, or None when it is not (or unsure).

    Quiet when the text is not far below the site's scale, when the two share a category, tag,
    breadcrumb or URL folder, and, when the site's own structure says nothing either way, when
    a third article is close to both (depression signs <-> ketamine for depression <-> what to
    expect at an infusion: one topic the site writes about in steps).
    """
    score = topics.similarity(source, target)
    threshold = topics.threshold(opts)
    if score >= threshold or score > 0 and (source in topics.short or target in topics.short):
        return None
    shared, disagree = taxonomy.evidence(source, target)
    if shared:
        return None
    if not disagree and topics.scale is not None and opts.bridge_share > 0:
        # Each hop at least as close as a pair that is never flagged: on a site of unlike articles
        # the scale is small, and a share of it alone would take shared boilerplate for a topic.
        floor = max(opts.bridge_share * topics.scale, opts.max_flagged_similarity)
        if bridge(topics, source, target, floor) is not None:
            return None
    evidence = {"similarity": round(score, 3), "threshold": round(threshold, 3),
                "site_scale": round(topics.scale, 3) if topics.scale is not None else None}
    if topics.scale is not None:
        evidence.update(relative=round(score / topics.scale, 3) if topics.scale else 0.0,
                        min_relative_similarity=opts.min_relative_similarity,
                        max_flagged_similarity=opts.max_flagged_similarity)
    else:
        evidence.update(small_site_similarity=opts.small_site_similarity)
    if source in topics.short or target in topics.short:
        evidence["short_post"] = True
    evidence.update(rank=topics.rank(source, target), articles=len(topics.vectors) - len(topics.short),
                    source_topics=sorted(taxonomy.terms.get(source, ())),
                    target_topics=sorted(taxonomy.terms.get(target, ())),
                    structure="disagrees" if disagree else "silent")
    return evidence


@site_rule("irrelevant-related-post", "warning", options="related")
def irrelevant_related_post(site: "Site", opts: RelatedOptions) -> Iterator[Hit]:
    """A related-post link's topic does not match the article it sits on.

    **Why it matters.** Related posts keep a reader on the site and tell
    search engines which pages belong together. A ketamine-for-PTSD article
    that suggests "Semaglutide for weight loss" loses the reader and blurs
    both pages' topics; it usually comes from a theme that picks by date or
    by a catch-all category.

    **Example.** On the demo site, "Ketamine vs. Antidepressants" links to
    "Erectile Dysfunction: Causes and Treatments That Work". The site files
    the first under "Ketamine" and the second under "Men's health", and the
    pair's similarity is 0.027, below the site's threshold of 0.052: 0.25
    times 0.207, how alike a typical article on the site is to its closest
    sibling. A shared category, tag, breadcrumb or URL folder keeps a pair
    quiet; so does, when the site gives no categories, a third article close
    to both (one topic written in steps). A post under 150 words (a code
    snippet, a picture and its caption) is flagged only when it shares no
    topic word with the article at all. Latest-posts widgets and lists
    that show the same posts on every page are not judged.

    **How to fix.** Replace the link with a post on the same topic (the
    finding suggests the closest ones), or choose related posts by tag or
    topic rather than by date or a catch-all category. The judgement is
    relative to the site: `[audits.related] min_relative_similarity` sets
    how far below the site's typical closely-related pair a link must fall.
    Measured precision and recall: docs/accuracy.md, "Related posts".
    """
    topics: Optional[SiteTopics] = None
    taxonomy: Optional[SiteTaxonomy] = None
    surface: dict[str, str] = {}
    related = related_links(site.pages.values())
    for page in site.pages.values():
        if page.url not in related or not page.is_article:
            continue
        if topics is None:
            topics = site_topics(site.pages.values(), opts)
            taxonomy = SiteTaxonomy.build([site.pages[u] for u in topics.vectors], opts.max_topic_share)
        if page.url not in topics.vectors:
            continue
        reported: set[str] = set()
        links = related[page.url]
        linked = {resolved.url for link in links if (resolved := resolve(site, link)) is not None}
        for link in links:
            target_page = resolve(site, link)
            if target_page is None or target_page.url == page.url or link in reported:
                continue
            if target_page.url not in topics.vectors:
                continue
            evidence = judge(topics, taxonomy, page.url, target_page.url, opts)
            if evidence is None:
                continue
            reported.add(link)
            if not surface:  # only needed to word a finding
                surface = _surface_words(p for p in site.pages.values() if p.url in topics.vectors)
            yield _hit(site, topics, surface, page, target_page, link, linked, evidence, opts)


def _hit(site: "Site", topics: SiteTopics, surface: dict[str, str], page: Page, target: Page, link: str,
         linked: set[str], evidence: dict, opts: RelatedOptions) -> Hit:
    source_terms = topic_terms(topics.vectors[page.url], surface)
    target_terms = topic_terms(topics.vectors[target.url], surface)
    threshold = topics.threshold(opts)
    # Only suggest posts that would themselves pass: a closer post that is still off-topic helps no one.
    closer = [url for url, score in sorted(topics.row(page.url).items(), key=lambda kv: (-kv[1], kv[0]))
              if url not in linked and score >= threshold][:2]
    title = topics.titles.get(target.url) or _title(target)
    evidence = {**evidence, "target_title": title, "source_topic": source_terms, "target_topic": target_terms,
                "suggested": closer}
    if evidence.get("short_post"):
        why = (f"they share no topic word, and a post under {opts.min_words} words is judged only on that: "
               f"too little text for a low similarity to mean much")
    elif evidence["site_scale"] is not None:
        why = (f"similarity {evidence['similarity']:.3f}, below {evidence['threshold']:.3f} = "
               f"{opts.min_relative_similarity:g} x {evidence['site_scale']:.3f}, the similarity of a typical "
               f"article on this site to its closest sibling")
    else:
        why = (f"similarity {evidence['similarity']:.3f} < {evidence['threshold']:g}: with only "
               f"{evidence['articles']} articles to compare, only pairs that share almost no topic words are flagged")
    message = (f"Related post {title!r} looks off-topic on this article about {', '.join(source_terms)}: "
               f"it is about {', '.join(target_terms)} ({why}).")
    if closer:
        message += " Closer posts on this site: " + "; ".join(repr(topics.titles[u]) for u in closer) + "."
    return Hit(message, target=link, url=page.url, evidence=evidence)


def _title(page: Page) -> str:
    return page.title or (page.h1s[0] if page.h1s else page.url)
