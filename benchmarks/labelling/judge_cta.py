"""Hand judgements for missing_cta and phone_not_clickable on the labelled articles, turned into labels.toml lists.

    python benchmarks/labelling/judge_cta.py > labels_cta.toml

Made by reading candidates_cta.py's output and every article page as a visitor sees it, before either rule
was run in this work. The question for missing_cta: does the page offer a call to action tied to the article,
in its body or in a box right after it (before the comments, sidebar and footer): a link or button to book,
schedule, contact or ask the practice, a form that sends the practice a request or question, a tel:/mailto:
link. Site-wide header, menu, sidebar and footer contacts do not count (the rule's own definition), nor a
comment form, a share button or a link to a service page. phone_not_clickable: a phone number written in the
article body (or the box right after it) with no tel: link for it there.
"""
import json
import sys
import tomllib
from pathlib import Path

LABELS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "realsites" / "labels.toml"

# site -> article -> (has a call to action?, why). Every labelled article is judged.
CTA = {
    "miamiclinicalpsychotherapy": {
        # The five posts were saved as their excerpt: h1, byline, one teaser paragraph ending in "…", then the
        # theme's sidebar (recent posts, archives, meta) and an "above footer" widget with the phone and e-mail
        # that every page of the site shows. Nothing in or right after the body to act on.
        a: (False, "excerpt only; phone/e-mail only in the header and the site-wide above-footer widget")
        for a in ("be-in-the-moment/index.html", "find-professional-help-for-anxiety-in-children/index.html",
                  "how-to-control-worry-as-an-emotion/index.html",
                  "kids-understand-how-to-handle-anxiety-symptoms/index.html",
                  "top-6-tips-to-overcome-panic-attacks/index.html")
    },
    "fabozzidental": {
        # "Ask the Dentists" (ask-the-dentists/) is the practice's question form ("Submit your question", with
        # "OR Call us at: 909-597-4711" under it): a link to it closing a post is a way to ask the practice.
        # The sidebar's "Request Appointment" and contact form are on every page (left column): not counted.
        **{a: (True, "closing link \u201cAsk the Dentists\u201d to the practice's question form")
           for a in ("blog/can-technology-compensate-for-poor-brushing-technique/index.html",
                     "blog/choosing-a-dentist-and-sticking-with-it/index.html",
                     "blog/choosing-a-dentist-for-the-long-run/index.html",
                     "blog/pacifiers-are-they-good-or-bad/index.html",
                     "blog/relieving-anxiety/index.html",
                     "blog/theres-always-silver-lining/index.html",
                     "blog/to-fill-or-not-to-fill-that-is-the-question/index.html",
                     "blog/welcome-to-fabozzi-family-dentistry/index.html")},
        "blog/what-a-difference-whiter-teeth-can-make/index.html":
            (True, "\u201cschedule your appointment at Fabozzi Dental\u201d links request-appointment/, and \u201cAsk the Dentists\u201d"),
        **{a: (False, "body has only a Tweet button; the phone is in the header, the appointment link and form in the "
                      "site-wide sidebar")
           for a in ("blog/coffee-and-dental-hygiene/index.html", "blog/fathers-day-no-regrets/index.html",
                     "blog/remembering-ruth/index.html",  # a memorial post: a CTA may be unwanted, but there is none
                     "blog/thoughts-tooth-fairy/index.html", "blog/welcome/index.html")},
    },
    "4dental": {
        # Every treatment page ends its text with "Book appoinment" and a form (name, phone, e-mail, preferred
        # date; "Book me") and "or drop a simple email" (mailto:) right under the body, before the page ends.
        a: (True, "\u201cBook appoinment\u201d form with a \u201cBook me\u201d button and a mailto: link right after the text")
        for a in ("atraumatic-extraction-for-dental-implants.html", "bone-grafts-and-socket-preservation.html",
                  "chilliwack/dental-implants-cost.html", "chilliwack/dental-implants.html",
                  "chilliwack/gingivitis.html", "chilliwack/periodontitis.html", "chilliwack/receding-gums.html",
                  "muco-gingival-problems.html", "proper-positioning-and-longevity-of-dental-implants.html",
                  "surrey/guided-tissue-regeneration.html", "surrey/gummy-smile.html",
                  "surrey/high-frenum-attachment.html", "surrey/replacing-missing-teeth.html")
    },
    "abacoapodiatry": {
        # Each post ends, inside <main> and after the reviewer box, with a div.cta-band written for the post
        # ("Checked 3 or more boxes?", "Your heel has waited long enough.") holding "Book Appointment" (/contact/)
        # and, on three of them, the tel: number.
        a: (True, "the post's cta-band after the body: \u201cBook Appointment\u201d -> /contact/")
        for a in ("blog/5-signs-your-heel-pain-is-plantar-fasciitis/index.html",
                  "blog/laser-therapy-vs-cortisone-injections/index.html",
                  "how-mls-laser-therapy-relieves-foot-and-ankle-pain/index.html",
                  "innovative-treatments-for-heel-pain-exploring-mls-laser-therapy/index.html")
    },
    "cardstonsmiles": {
        "blog-single.html": (False, "the template's lorem-ipsum post: tags, author box, comments and comment form, "
                                    "a sidebar; numbers only in the top bar and the footer"),
    },
}

# phone_not_clickable: the only numbers in or right after these article bodies are abacoapodiatry's cta-band
# "(561) 915-1934", each a tel: link. Elsewhere the numbers are in headers (fabozzidental "Call us today! (909)
# 597-4711", 4dental's navbar, cardstonsmiles' top bar), sidebars and footers. Nothing to find on any site.
PHONE_NOT_CLICKABLE: dict[str, list[str]] = {}


def main() -> None:
    sites = tomllib.loads(LABELS.read_text(encoding="utf-8"))["site"]
    for site in sites:
        articles = site.get("articles", [])
        judged = CTA.get(site["name"], {})
        missing = set(articles) - set(judged)
        if missing:
            raise SystemExit(f"{site['name']}: articles not judged: {sorted(missing)}")
        print(f"# {site['name']}")
        lacking = [f"\n    {json.dumps(a)},  # {why}" for a, (has, why) in sorted(judged.items()) if not has]
        print("missing_cta = [" + "".join(lacking) + ("\n]" if lacking else "]"))
        print(f"phone_not_clickable = {PHONE_NOT_CLICKABLE.get(site['name'], [])!r}")


if __name__ == "__main__":
    main()
    sys.exit(0)
