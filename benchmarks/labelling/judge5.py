"""Hand judgements on candidates5.py's output, turned into labels.toml lists (one list per rule and site).

    python benchmarks/labelling/judge5.py candidates5.jsonl > labels5.toml

Each decision below was made by reading the candidates and the pages they come from (labels.toml says
what was read); the code only applies them. Pages are files relative to the site folder.
"""
import json
import sys
import tomllib
from pathlib import Path

LABELS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "realsites" / "labels.toml"
RULES = ("broken_fragment", "duplicate_meta_description", "unlinked_source", "phone_format")


def fragment_is_broken(c: dict) -> bool:
    """A fragment link lands nowhere for the visitor.

    Not broken: "#" and "#top" (a browser scrolls to the top for both), and links that are script
    controls rather than navigation: they name the element they open in data-target/aria-controls or
    carry a data-*toggle attribute (ElementsKit accordions write href="#collapse-x" for an element
    id="Collapse-x", and the script opens it)."""
    frag = c["href"].split("#", 1)[1]
    if frag in ("", "top") or frag.startswith(("!", "/", ":~:")) or "=" in frag:
        return False
    attrs = c["attrs"]
    if any(k.endswith("toggle") or k in ("data-target", "aria-controls", "data-bs-target") for k in attrs):
        return False
    return True


# unlinked_source: the article paragraphs that credit a claim to a named source without a link, found by
# reading every candidate paragraph (candidates5.py prints them). Unnamed "studies have shown",
# "scientists have figured out" and bare percentages name no source to link and are not labelled.
CITATIONS = {
    "fabozzidental": {
        # "a report from the Institute of Medicine found those startling numbers ..." (corrected after the first
        # run: candidates5.py printed paragraphs cut at 400 characters and this sentence came after the cut)
        "blog/choosing-a-dentist-and-sticking-with-it/index.html",
        # "the American Academy of Pediatrics released a study ..." and "the American Dental Association said"
        "blog/pacifiers-are-they-good-or-bad/index.html",
        # "Both the American Dental Association and the World Health Organization rate dental amalgam as
        # safe ... the Centers for Disease Control, and the Food and Drug Administration all consider ..."
        "blog/theres-always-silver-lining/index.html",
    },
}


def main(path: str) -> None:
    sites = [s["name"] for s in tomllib.loads(LABELS.read_text(encoding="utf-8"))["site"]]
    found = {name: {rule: set() for rule in RULES} for name in sites}
    for line in open(path, encoding="utf-8"):
        c = json.loads(line)
        rule, site = c["rule"], c["site"]
        if rule == "broken_fragment" and fragment_is_broken(c):
            found[site][rule].add(c["file"])
        elif rule in ("duplicate_meta_description", "phone_format"):
            # every duplicate group was read (shared boilerplate descriptions, one app shell, course pages
            # sharing one course's text), and every other way of writing the number is the same number
            found[site][rule].add(c["file"])
    for site, files in CITATIONS.items():
        found[site]["unlinked_source"] |= files
    for name in sites:
        print(f"\n# {name}")
        for rule in RULES:
            v = sorted(found[name][rule])
            print(f"{rule} = [" + "".join(f"\n  {json.dumps(x)}," for x in v) + ("\n]" if v else "]"))


if __name__ == "__main__":
    main(sys.argv[1])
