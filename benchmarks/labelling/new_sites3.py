"""Hand decisions for the second corpus (corpus3: sites nobody on this work had looked at), fed to make_labels.py.

    cd DIR_WITH_JSONL && python benchmarks/labelling/new_sites3.py wkdental chardonpt suzelisholistic

Each site's `SITE.jsonl` is candidates.py's output on the folder (tests/fixtures/realsites/README.md says how the
folder was prepared). The decisions below were made by reading the files before siteproof was run on the site;
the code only applies them. Prints labels.toml entries (markup facts, duplicate titles, broken links).
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_labels  # noqa: E402

make_labels.SITES.update({
    # HTTrack mirror of a WordPress site (ThemeFuse "Medica" theme). Every page's comment feed was saved as
    # feed/index.html (RSS starting "<?xml": not pages, found by make_labels' first-bytes test), the REST index as
    # wp-json/index.html (JSON), and the 404 page WordPress served for a photo-gallery stylesheet as
    # wp-content/plugins/photo-gallery/css/mCSB_buttons.html (a "Page Not Found" body under an asset's name, as
    # miami's .jpg.html files). experience-technology/ is HTTrack's "Page has moved" meta-refresh stub. No blog.
    'wkdental': dict(dir='wkdental', cms='WordPress (ThemeFuse "Medica" theme); HTTrack mirror',
                     canonical='https://www.westernkentuckydental.com',
                     not_pages=lambda f: f.startswith('wp-content/'), articles=[]),
    # Hand-built static site (Vercel), a blog of 75 posts under blog/. 404.html and 500.html are error pages.
    # Articles: every post under blog/ (tips, clinic news, a client testimonial post, community posts: all
    # written as posts with a date, an h1 and a body); not the blog index, services, team or legal pages.
    'chardonpt': dict(dir='chardonpt', cms='hand-built static HTML (Vercel), blog of 75 posts',
                      canonical='https://www.chardonperformancetherapy.com', errors=['404.html', '500.html'],
                      articles=lambda f: f.startswith('blog/') and f != 'blog/index.html'),
    # WordPress (WPZOOM "Modena" theme, Yoast) exported with Simply Static: every URL relative, no host anywhere,
    # so no canonical_url. 25 "Redirecting..." meta-refresh stubs (attachment pages and retired URLs; found by
    # make_labels' refresh test). Articles: the one dated post (2023/08/29/...). Testimonials (custom post type),
    # video posts (an embed and a sentence), practitioner profiles, service pages and forms are not articles.
    'suzelisholistic': dict(dir='suzelisholistic', cms='WordPress (WPZOOM Modena, Yoast); Simply Static export',
                            articles=['2023/08/29/important-update-pricing-adjustments-reflecting-value-and-commitment/index.html']),
    # Static site built by a Python generator (_build/, Vercel, cleanUrls). about/dr-*/ are older copies of team/dr-*/
    # (their canonical names the team page: one page each). style-guide/ is the developer's style guide, a page but
    # no article. Articles: the posts under blog/ (not its index). Fax: (289) 755-2569 in every footer, labelled.
    'hcdc': dict(dir='hcdc', cms='static HTML from a Python generator (Vercel), blog of 17 posts',
                 canonical='https://hamiltoncaredental.com',
                 articles=lambda f: f.startswith('blog/') and f != 'blog/index.html'),
    # Hand-built static site of a one-therapist virtual practice (Vercel serves the repository root; the folder is the
    # repository without what .vercelignore keeps off the host: docs/, research/, audits/, backups/, archive/,
    # scripts/ and *.md). templates/html/ holds three HTML snippets with no <html>/<head>/<title> (GA4 tag, two
    # statistics sections): not pages; its two full templates ({{PAGE_TITLE}}, [PAGE_TITLE]) are pages, no articles.
    # 410.html is the "no longer available" page. public/ is an older Duda-built copy still on the host.
    # Articles, by reading each page's top: the posts under blog/ (not its index, not the two quizzes), the posts
    # with a byline at the root (university-grade-anxiety..., why-smart-students-fail...), the parent post
    # child-anxious-about-university (written as a post, no service offer in its opening), the grounding-techniques
    # guide under resources/, and the Duda blog's twelve posts under public/. The ~120 city and condition pages
    # ("Anxiety Therapy Ajax", "Anxiety Chest Tightness: ...", "Bay Street Burnout") are service landing pages, as
    # abacoapodiatry's condition pages are; the costs, research-evidence and CBT-techniques pages are service pages.
    'nextsteptherapy': dict(dir='nextsteptherapy', cms='hand-built static HTML (Vercel) with an older Duda copy under public/',
                            canonical='https://nextsteptherapy.ca',
                            not_pages=['templates/html/ga4-tracking.html', 'templates/html/stats-anxiety.html',
                                       'templates/html/stats-depression.html'],
                            errors=['410.html'],
                            articles=[
        'blog/anxiety/adult-adhd-vs-high-functioning-anxiety.html', 'blog/anxiety/do-i-need-therapy.html',
        'blog/mental-health-guides/how-to-find-therapist-toronto.html', 'blog/seasonal/blue-monday-myth.html',
        'blog/seasonal/how-to-start-therapy-ontario.html', 'blog/seasonal/january-blues-ontario.html',
        'blog/seasonal/post-holiday-financial-stress.html', 'blog/workplace/how-to-recover-from-burnout.html',
        'blog/workplace/imposter-syndrome-at-work.html', 'child-anxious-about-university.html',
        'university-grade-anxiety-when-b-feels-like-failure.html',
        'why-smart-students-fail-university-academic-anxiety.html', 'resources/grounding-techniques-guide.html',
        'public/confronting-impostor-syndrome-how-depth-oriented-therapy-transforms-professional-confidence.html',
        'public/guide-to-work-stress-management.html',
        'public/how-core-values-shape-peak-performance-and-professional-fulfillment.html',
        'public/mindfulness-therapy-enhancing-your-mind-improving-your-life.html',
        'public/performance-anxiety-therapy-in-toronto.html',
        'public/performance-mindfulness-science-backed-practices-for-high-pressure-work-environments.html',
        'public/start-up-stress-to-peak-performance-a-mental-health-guide-for-tech-entrepreneurs.html',
        'public/the-high-performer-s-guide-to-emotional-intelligence-making-better-decisions-when-stakes-are-high.html',
        'public/the-tricky-nature-of-anxiety-and-stress.html',
        'public/transforming-career-transitions-how-therapy-supports-ambitious-professionals.html',
        'public/winning-mindset-mental-performance-strategies-for-high-achieving-professionals.html',
        'public/work-stress-assessment-understand-your-professional-wellbeing.html']),
})

if __name__ == '__main__':
    for name in sys.argv[1:]:
        make_labels.print_site(name, *make_labels.main(name))

# Judgements on candidates5.py's and candidates_cta.py's output for these sites (judge5.py applies its own rules for
# broken_fragment, duplicate_meta_description and phone_format; what it cannot see is added here, with the reason).
EXTRA = {
    'wkdental': {
        # The number is written "(270) 846 – 9994" (spaces around an en dash) in the home page's header and on the
        # contact page; candidates5.py's pattern knows no en dash, so these were found by reading the pages. The
        # contact page's "Fax : (270) 846 – 9934" is the practice's fax line, not a mistake.
        'phone_format': ['contact-us/index.html', 'index.html'],
    },
    'chardonpt': {
        # "our website (chardonperformancetherapy.com)", "the website located at chardonperformancetherapy.com":
        # the site named as an address a reader would type, under the apex host while the site is www
        # (the rule's definition); two legal pages.
        'url_mismatch': ['privacy/index.html', 'terms/index.html'],
        # Every post's body is followed by a box ("Have a question we can help with?", "Book an Eval",
        # "Schedule your first visit", "Drop off a donation ... Text us now") with a link to the contact page or
        # an sms: link, before the footer: every article has a call to action.
        'missing_cta': [],
        # The number written in the post's body (article#article-body) with no tel: link there; two posts link it.
        'phone_not_clickable': [
            'blog/better-sleep-better-recovery/index.html', 'blog/can-we-prevent-concussions/index.html',
            'blog/caring-for-our-community-this-season-supporting-local-mini-food-pantries/index.html',
            'blog/concussions-know-the-signs/index.html', 'blog/concussions/index.html',
            'blog/desk-job-pain-discomfort/index.html', 'blog/disability-pride-month-inclusive-movement/index.html',
            'blog/dry-needling-what-is-it/index.html',
            'blog/new-year-new-pace-why-slowing-down-might-be-your-best-resolution/index.html',
            'blog/physical-therapy-supports-mental-health/index.html', 'blog/pre-dance-prep-guide/index.html',
            'blog/pre-participation-physicals-student-athletes/index.html',
            'blog/tennis-elbow-off-season-guide/index.html'],
    },
    'suzelisholistic': {
        # The one post's body links only to a service page ("Click here to learn more about Dr. Ted's VIP
        # Packages", on a bare IP host); then share buttons, the comment form, the sidebar's appointment image
        # (site-wide) and the footer. No number in the body.
        'missing_cta': ['2023/08/29/important-update-pricing-adjustments-reflecting-value-and-commitment/index.html'],
        'phone_not_clickable': [],
    },
    'nextsteptherapy': {
        # url_mismatch: candidates5.py's text hits are all the e-mail address jesse@nextsteptherapy.ca and, in the
        # grounding guide's print footer, the brand line "nextsteptherapy.ca" on the canonical host: none to find.
        'url_mismatch': [],
        # A claim credited to a named body or publication, no link in the paragraph: "According to the Canadian
        # Psychological Association, CBT is the gold standard"; "Mental health experts, including the UK's Mental
        # Health Foundation, have repeatedly debunked the concept"; "The World Health Organization defines it as a
        # syndrome ..."; "A 2021 meta-analysis published in the Journal of Psychiatric Research found ...";
        # "Research source: University of Rochester Medical Center ... studies show", "Harvard Health Publishing
        # documents ...". Unnamed "research shows", and paragraphs citing with a link or a numbered note beside a
        # link ("according to the American Institute of Stress [5]"), are not labelled.
        'unlinked_source': ['blog/anxiety/do-i-need-therapy.html', 'blog/seasonal/blue-monday-myth.html',
                            'blog/workplace/how-to-recover-from-burnout.html',
                            'public/mindfulness-therapy-enhancing-your-mind-improving-your-life.html',
                            'resources/grounding-techniques-guide.html'],
        # Every article has one: blog posts a "Schedule 15-Min Call"/"Book Free Consultation" box in or after the
        # body; the Duda posts "Book A Free Consultation" after the post; the grounding guide a "footer-cta" box
        # ("Book Free 15-Min Consultation", which candidates_cta.py did not print: found by reading the file).
        'missing_cta': [],
        # No article body writes a number without a tel: link for it (the grounding guide's number is in its
        # print footer, after the call-to-action box).
        'phone_not_clickable': [],
    },
    'hcdc': {
        # Text hits are the e-mail office@hamiltoncaredental.com and "when you visit hamiltoncaredental.com" on the
        # privacy page, the canonical host itself: none to find.
        'url_mismatch': [],
        # "The Canadian Dental Association recommends a checkup and professional cleaning every six months";
        # "Nitrous oxide is billed per unit of time according to the Ontario Dental Association fee guide": named
        # sources, no link in the paragraph. "The American Dental Association recommends ..." links mouthhealthy.org;
        # "Most Ontario dentists base their fees on the ODA fee guide" describes the guide, credits no claim to it.
        'unlinked_source': ['blog/dental-anxiety-in-hamilton-sedation-options-for-nervous-patients/index.html',
                            'blog/how-often-should-you-visit-the-dentist-what-the-experts-recommend/index.html'],
        # Every post closes with an "article-cta" box ("Have a question about your smile?", Book Appointment, tel:).
        'missing_cta': [],
        # Numbers in the posts' bodies are tel: links.
        'phone_not_clickable': [],
    },
}
