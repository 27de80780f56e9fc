"""Hand decisions for the third corpus (corpus5: five sites nobody on this project had looked at), fed to make_labels.py.

    cd DIR_WITH_JSONL && python benchmarks/labelling/new_sites5.py greenleafclinic emeraldental ...

Each site's `SITE.jsonl` is candidates.py's output on the folder (tests/fixtures/realsites/README.md says how the
folder was prepared; the hosts given to candidates.py are the canonical hosts below). The decisions were made by
reading the files before siteproof was run on any of these sites; the code only applies them. Prints labels.toml
entries (markup facts, duplicate titles, broken links).
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_labels  # noqa: E402

_GL = 'greenleafclinic-web/'


def _greenleaf_article(f: str) -> bool:
    # English and Korean posts (blog/<slug>/index.html, kr/blog/<slug>/index.html) and case reports
    # (cases/cases/*.html, kr/cases/cases/*.html: a dated first-person narrative of one patient's treatment with an
    # h1 and a body, written as posts); not the blog and case indexes, condition pages, profiles or templates.
    rel = f[len(_GL):] if f.startswith(_GL) else f
    return bool(re.fullmatch(r'(kr/)?blog/[^/]+/index\.html', rel) or re.fullmatch(r'(kr/)?cases/cases/[^/]+\.html', rel))


make_labels.SITES.update({
    # Acupuncture and herbal (TCM) clinic, Vancouver: a hand-built static site (no generator named; the same
    # inline-styled templates on every page), English with a Korean copy under kr/, deployed to GitHub Pages under
    # the base path /greenleafclinic-web/ (its links carry it, so the folder is placed as ROOT/greenleafclinic-web/
    # and ROOT is checked, as elaesthetics). Canonical links name https://greenleafclinic.ca (blog posts at the
    # host's root: /back-pain/). cases/reports.html is a meta-refresh stub to the case index. The two
    # *-template.html files are developer templates (pages, no articles). "Emergency: 604.518.4736" on the two
    # contact pages is the clinic's own emergency line, labelled, not a mistake. Articles: see _greenleaf_article.
    'greenleafclinic': dict(dir='greenleafclinic', cms='hand-built static HTML (GitHub Pages, base path), English + Korean, 130 posts, 140 case reports',
                            canonical='https://greenleafclinic.ca', articles=_greenleaf_article),
    # Dental-tourism clinic, Tirana: a mirror of a WordPress 5.3 site (ThemeForest "dentalia" theme, Site Kit, Contact
    # Form 7) whose links to other hosts were rewritten to relative paths (../../pagead2.googlesyndication.com/...)
    # that the folder lacks. google783471774b34f856.html is Google's site-verification file (one line of text), not a
    # page. The only number is the JSON-LD telephone "+355692057277"; no page shows one. No blog: every page is a
    # service page (teeth-whitening/ reads as one: "Is it harmful for your teeth?" then the clinic's offer).
    'emeraldental': dict(dir='emeraldental', cms='WordPress 5.3 ("dentalia" theme); mirror with other hosts rewritten to relative paths',
                         canonical='https://www.emeraldental.com', not_pages=['google783471774b34f856.html'], articles=[]),
    # Chiropractic practice, Dumont NJ: a static export of a WordPress site built with the Breakdance page builder
    # (Rank Math SEO), hosted as an agency's review copy (og:url https://localember.github.io/back-care-center-review/).
    # The owner's domain is not written anywhere, so no canonical_url. chiropractor/ is a copy of the home page (its
    # canonical "../" names it). blog/ is an empty blog index (no posts). The ~30 condition and service pages (1,100 to
    # 1,900 words each) are service landing pages, as abacoapodiatry's condition pages: no articles. The HHS numbers on
    # the non-discrimination (1-800-368-1019, TDD 1-800-537-7697) and HIPAA (1-877-696-6775) notices are written on
    # purpose (where to file a complaint), not mistakes.
    'backcarecenter': dict(dir='backcarecenter', cms='WordPress + Breakdance (Rank Math); static export of a review copy',
                           articles=[]),
    # Chiropractor, Carolina (Puerto Rico): hand-built static pages (Vercel), every page in Spanish with its English
    # text beside it (a language switch shows one), <html lang="es">. Six dated articles (article-*.html), their index
    # articles.html. The doctor's photo "Dra Nylet Ortiz.JPG" is in the repository but absent from the snapshot (a
    # large file): the index links it, broken by the folder definition, as suzelisholistic's absent .mp4 files.
    'inspinechiro': dict(dir='inspinechiro', cms='hand-built static HTML (Vercel), Spanish + English on each page',
                         canonical='https://inspinechiropractic.com',
                         articles=lambda f: f.startswith('article-')),
    # Med-spa and salon, Ottawa: an HTTrack mirror of a WordPress + Elementor Pro site (the repository is HTTrack's
    # project folder; its yorkstreetspa.com/ copy of the root and hts-cache/ are left out). feed/ and comments/feed/
    # are RSS, wp-json/ the REST index (not pages). Seven "Page not found - YSS" bodies saved under other names
    # (-negative.html, OPR/, document.html, e.html, window.location.html, indexc471.html, indexf255.html: URLs the
    # mirror guessed from scripts) are the WordPress 404 page saved where the site has no page, as miami's
    # ".jpg.html" 404 bodies: not pages of the site (no rule may report on them). The 48 other index####.html files
    # are HTTrack's "Page has moved" meta-refresh stubs. book.html is a booking page added to the mirror by hand. No blog: service, team and policy
    # pages only. The number 613-562-2121 is written (never as a tel: link) on every page.
    'yorkstreetspa': dict(dir='yorkstreetspa', cms='WordPress + Elementor Pro; HTTrack mirror',
                          canonical='https://yorkstreetspa.com',
                          not_pages=['-negative.html', 'OPR/index.html', 'document.html', 'e.html', 'window.location.html',
                                     'indexc471.html', 'indexf255.html'],
                          articles=[]),
})


# Judgements on candidates5.py's and candidates_cta.py's output for these sites, made by reading the candidates and the
# pages before siteproof was run on them. judge5.py's rules are not applied to these sites: every list is here, with why.
_GL_CONTACT_IN_POST = {  # English posts whose body links the contact page ("Contact us", "visit our clinic")
    '4-herbs-to-replace-your-morning-coffee', '5-herbs-that-aid-healthy-digestion',
    '5-self-acupressure-points-for-stress-relief', '5-self-massage-acupressure-points-to-help-you-sleep',
    'chinese-motherwart-a-herb-for-hormonal-balance-and-blood-flow', 'restoring-qi-how-to-boost-your-energy',
    'szechuan-lovage-root-herbs-that-improve-blood-and-qi-flow', 'the-basics-of-tongue-diagnosis',
    'treating-acid-reflux-with-eastern-medicine',
}


def _greenleaf_missing_cta(articles):
    # Case reports (English and Korean) end with a "cta-box" right after </main> ("Wondering if your symptoms follow a
    # similar pattern? Book a Consultation", the clinic's Jane booking page): a call to action tied to the article.
    # Blog posts end at </article> and go straight to the site-wide "visit-us site-footer" section (map, phone, the
    # same on every page); the menu's and the floating "Book Appointment" buttons are site-wide too. So a post has a
    # call to action only when its body links the contact page (nine English posts); links to other posts do not count.
    return sorted(a for a in articles if '/blog/' in a
                  and ('/kr/' in a or a.rstrip('/').split('/')[-2] not in _GL_CONTACT_IN_POST))


# broken_fragment, all five sites: the only fragment links to in-folder pages are "#" and "#top" (a browser scrolls to
# the top) and yorkstreetspa's Elementor popup trigger "#elementor-action%3Aaction%3Dpopup%3Aopen%26settings%3D..."
# on 50 pages, a script control naming what it opens (percent-encoded "action=popup:open"), as judge5.py's
# data-toggle controls: nothing broken.
EXTRA = {
    'greenleafclinic': {
        'broken_fragment': [], 'duplicate_meta_description': [],
        # "(604-322-0293)" in the Korean clinic-info page's ICBC paragraph; every other page writes 604.322.0293.
        'phone_format': [_GL + 'kr/about/clinic-info/index.html'],
        # Text hits are the e-mail info@greenleafclinic.ca and the Instagram handle @greenleafclinic.ca: none to find.
        'url_mismatch': [],
        # A claim credited to a named body or publication, no link in the paragraph: "Modern textbooks (WHO, Deadman's A
        # Manual of Acupuncture, Maciocia) converge on ...", "A 2013 study in Acupuncture in Medicine found ...",
        # "A 2019 meta-analysis (Xie et al., PLOS ONE) found ...", and the Korean ST36 post ("WHO 표준안과 Deadman의 침구
        # 교과서 ... 정의합니다", WHO's standard and Deadman's textbook define ...). Unnamed "studies have shown", "a
        # meaningful body of research has now been published" and case narratives are not labelled. candidates5.py's
        # cues are English, so a Korean paragraph citing a study without naming WHO or a Latin-script source would
        # not have been listed (none was seen when reading the Korean posts' candidates).
        'unlinked_source': [_GL + 'blog/st36-location-why-classical-and-modern-textbooks-differ/index.html',
                            _GL + 'blog/the-beneficial-effects-of-acupuncture-and-herbal-medicine-on-ovarian-hyperstimulation-syndrome-ohss-in-ivf-patients/index.html',
                            _GL + 'blog/the-reliable-ally-in-implantation-acupuncture-and-herbal-medicine-accompanying-ivf/index.html',
                            _GL + 'kr/blog/st36-classical-vs-modern-location/index.html'],
        'missing_cta': _greenleaf_missing_cta,
        # No article body writes a number (the phone is in the site-wide footer section).
        'phone_not_clickable': [],
    },
    'emeraldental': {
        'broken_fragment': [], 'duplicate_meta_description': [], 'unlinked_source': [],
        # "(355) 69 20 57 277" (the country code in brackets, no "+") in every page's contact block: the configured
        # number written otherwise. candidates.py's pattern missed it; candidates5.py found it on all eleven pages.
        'phone_format': ['contact/index.html', 'cosmetic-dentistry/index.html', 'dental-crowns/index.html',
                         'dental-implants/index.html', 'dental-tourism/index.html', 'dentures/index.html', 'index.html',
                         'invisalign-clear-aligners/index.html', 'services/index.html', 'teeth-whitening/index.html',
                         'veneers/index.html'],
        # The theme's search forms post to http://emeraldental.com/ (seven pages) and https://emeraldental.com/ (two),
        # and invisalign's button links https://emeraldental.com/contact: the site under another scheme and/or without
        # its www, while canonical_url is https://www.emeraldental.com (the rule's definition).
        'url_mismatch': ['cosmetic-dentistry/index.html', 'dental-crowns/index.html', 'dental-implants/index.html',
                         'dental-tourism/index.html', 'dentures/index.html', 'invisalign-clear-aligners/index.html',
                         'services/index.html', 'teeth-whitening/index.html', 'veneers/index.html'],
        'missing_cta': [], 'phone_not_clickable': [],
    },
    'backcarecenter': {
        # url_mismatch is not labelled: no canonical_url (the owner's domain is written nowhere).
        'broken_fragment': [], 'duplicate_meta_description': [], 'unlinked_source': [], 'phone_format': [],
        'missing_cta': [], 'phone_not_clickable': [],
    },
    'inspinechiro': {
        'broken_fragment': [], 'duplicate_meta_description': [], 'url_mismatch': [],
        # The home page's header and WhatsApp line write "+1 787-340-3222"; the others "+1 (787) 340-3222" (`phone`).
        'phone_format': ['index.html'],
        # Candidates are unnamed ("Multiple scientific studies support ...") or cue-word false alarms: none.
        'unlinked_source': [],
        # Every article ends inside <article> with a box ("¿Experimentas Síntomas de Ciática?") and an "Agendar Cita"
        # tel: link: a call to action. No number is written in an article body (only in the footer).
        'missing_cta': [], 'phone_not_clickable': [],
    },
    'yorkstreetspa': {
        'broken_fragment': [],
        # book.html (added by hand, its canonical copied as "index.html", which names the home page) and contact-us/
        # share "If you want the best salon & spa experience available in Ottawa, contact York Street Spa to schedule";
        # book.html is not the home page (another title and body), so both are labelled.
        'duplicate_meta_description': ['book.html', 'contact-us/index.html'],
        'phone_format': [], 'unlinked_source': [],
        # "visit our website www.yorkstreetspa.com to book" on cosmetic-injector/: the www twin while canonical_url is
        # the apex (as chardonpt's labels). "YorkStreetSpa.com" in the copyright line is a brand name; e-mails are not.
        'url_mismatch': ['cosmetic-injector/index.html'],
        'missing_cta': [], 'phone_not_clickable': [],
    },
}


if __name__ == '__main__':
    for name in sys.argv[1:]:
        cfg, out, n = make_labels.main(name)
        for k, v in EXTRA[name].items():
            out[k] = v(out['articles']) if callable(v) else v
        make_labels.print_site(name, cfg, out, n)
