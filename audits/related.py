"""Related-post relevance: irrelevant-related-post.

Topical similarity is judged from the crawled text alone: TF-IDF vectors over
the site's own articles (the title counted ``title_weight`` times, plus the
body), English stop words and generic words ("week", "people", "feel")
dropped, plural folding, sublinear term frequency, smoothed IDF (the
weighting of scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``); each
article keeps its ``top_terms`` highest-weighted terms (its topic signature),
L2-normalised, compared by cosine.

Why pure Python and not scikit-learn: a clinic site has tens to a few hundred
articles of a few hundred distinct terms each; sparse dicts vectorise the 14
fixture articles in about 3 ms, once per audit. scikit-learn would pull numpy
and scipy (about 100 MB) into every install for the same numbers.

Why the IDF is fitted on the site itself: the words every article on the site
shares (the clinic's name and town, its closing call to action) carry no
topic, and only the site's own corpus says which those are.

How the settings and threshold were measured (tests/fixtures/related/: 14
realistic clinic articles in five topics, 50 related-post links labelled by
hand: 21 on-topic, 27 off-topic, 2 unsure; ``.venv/bin/python
tests/fixtures/related/measure.py`` prints every pair):

- full vectors (all terms) overlapped: on-topic 0.139-0.456, off-topic
  0.047-0.170 (two IV-infusion posts, two "X vs Y" comparison posts and the
  shared clinic boilerplate scored like related ones), at any title weight;
- dropping generic words and keeping the top 25 terms separates them:
  on-topic 0.113-0.413 (median 0.226), off-topic 0.000-0.062 (median 0.000);
- ``min_similarity = 0.09`` sits in that gap: precision 1.00 and recall 1.00
  (off-topic is the positive class). The 2 unsure links (testosterone
  replacement <-> menopause hormone therapy) score 0.030 and are flagged; had
  they been labelled on-topic, precision would be 0.93 (27 of 29 flags).

Raise the threshold to be stricter. This was measured on a 14-article site;
with only a handful of articles the IDF knows little about the site and
scores are noisier. Pairs are judged only when both pages are crawled
articles with at least ``min_words`` words; related links to pages that were
not crawled are skipped rather than guessed at.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from audits.model import Hit, Page
from audits.registry import options, site_rule

if TYPE_CHECKING:
    from audits.engine import Site


@options("related")
@dataclass(frozen=True)
class RelatedOptions:  # [audits.related]
    min_similarity: float = 0.09  # TF-IDF cosine below which a related post is off-topic (measured; see docs)
    min_words: int = 150  # articles shorter than this are not judged (too little text for a topic)
    title_weight: int = 3  # how many times the title's words count, against the body's once
    top_terms: int = 25  # each article is compared by its this-many most distinctive terms (0 = all)


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

_TOKEN = re.compile(r"[a-z][a-z0-9'’-]*[a-z0-9]|[a-z]")


def _stem(word: str) -> str:
    """Fold the commonest English inflections so "infusions" meets "infusion"."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    out = []
    for raw in _TOKEN.findall(text.lower()):
        raw = raw.strip("'’-")
        if len(raw) < 2 or raw in STOP_WORDS or raw in GENERIC_WORDS or raw.isdigit():
            continue
        out.append(_stem(raw))
    return out


Vector = dict[str, float]


def tfidf(docs: dict[str, list[str]], top_terms: int = 0) -> dict[str, Vector]:
    """L2-normalised TF-IDF vectors (sublinear tf, smoothed idf) for token lists keyed by URL.

    With ``top_terms``, each vector keeps only its highest-weighted terms: the
    article's topic signature, without the long tail of incidental words.
    """
    n = len(docs)
    df: Counter[str] = Counter()
    for toks in docs.values():
        df.update(set(toks))
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
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


def document(page: Page, title_weight: int) -> list[str]:
    title = page.title or (page.h1s[0] if page.h1s else "")
    return tokens(title) * max(title_weight, 0) + tokens(page.body_text)


def article_vectors(pages: Iterable[Page], opts: RelatedOptions) -> dict[str, Vector]:
    """TF-IDF vectors of the articles with enough text to have a topic, keyed by page URL."""
    docs = {
        p.url: document(p, opts.title_weight)
        for p in pages
        if p.is_article and p.word_count >= opts.min_words
    }
    return tfidf(docs, opts.top_terms)


def resolve(site: "Site", url: str) -> Optional[Page]:
    """The crawled page a related-post link leads to, trying its trailing-slash twin too.

    Servers commonly answer both /post and /post/ without a redirect, and the
    crawler stores whichever it met first.
    """
    page = site.page_at(url)
    if page is not None:
        return page
    base, sep, query = url.split("#", 1)[0].partition("?")
    twin = base[:-1] if base.endswith("/") else base + "/"
    return site.page_at(twin + sep + query)


@site_rule("irrelevant-related-post", "warning", options="related")
def irrelevant_related_post(site: "Site", opts: RelatedOptions) -> Iterator[Hit]:
    """A related-post link's topic does not match the article it sits on.

    **Why it matters.** Related posts keep a reader on the site and tell
    search engines which pages belong together. A ketamine-for-PTSD article
    that suggests "Semaglutide for weight loss" loses the reader and blurs
    both pages' topics; it usually comes from a theme that picks by date or
    by a catch-all category.

    **Example.** On "Ketamine therapy for PTSD", a related post "Testosterone
    replacement therapy for men" scores a TF-IDF similarity near 0 against a
    threshold of 0.09, while "Ketamine infusions for depression" scores about 0.2.

    **How to fix.** Choose related posts by tag or topic, or pick them by
    hand. Tune the threshold with `[audits.related] min_similarity`.
    """
    vectors: Optional[dict[str, Vector]] = None
    for page in site.pages.values():
        if not page.related_posts or not page.is_article:
            continue
        if vectors is None:
            vectors = article_vectors(site.pages.values(), opts)
        source = vectors.get(page.url)
        if source is None:
            continue
        reported: set[str] = set()
        for link in page.related_posts:
            target_page = resolve(site, link)
            if target_page is None or target_page.url == page.url or link in reported:
                continue
            target = vectors.get(target_page.url)
            if target is None:
                continue
            score = cosine(source, target)
            if score < opts.min_similarity:
                reported.add(link)
                yield Hit(
                    f"Related post {target_page.title or link!r} looks off-topic here "
                    f"(similarity {score:.3f} < {opts.min_similarity:g}).",
                    target=link, url=page.url,
                    evidence={"similarity": round(score, 3), "min_similarity": opts.min_similarity,
                              "target_title": target_page.title},
                )
