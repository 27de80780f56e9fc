"""Turn candidates (candidates.py output) plus hand decisions into labels.toml entries."""
import json, re, sys, posixpath

SITES = {
 # name: dict(dir, cms, canonical, not_pages(fn), stubs(fn), errors, articles)
 'miamiclinicalpsychotherapy': dict(dir='miamiclinicalpsychotherapy', cms='WordPress 5.3 (axetheme child theme, WooCommerce, Events Manager); static mirror',
    canonical='https://miamiclinicalpsychotherapy.com',
    not_pages=lambda f: f.startswith('wp-content/'),   # WordPress 404 pages saved under image/asset names (".jpg.html")
    articles=['be-in-the-moment/index.html', 'how-to-control-worry-as-an-emotion/index.html',
              'kids-understand-how-to-handle-anxiety-symptoms/index.html', 'find-professional-help-for-anxiety-in-children/index.html',
              'top-6-tips-to-overcome-panic-attacks/index.html']),
 'fabozzidental': dict(dir='fabozzidental', cms='WordPress 3.9 (blankslate-based custom theme, W3 Total Cache, NextGEN Gallery); wget mirror',
    canonical='http://www.fabozzidental.com',
    articles=lambda f: f.startswith('blog/') and not f.startswith(('blog/author/', 'blog/category/', 'blog/page/')) and f != 'blog/index.html'),
 '4dental': dict(dir='4dental', cms='hand-built Bootstrap 3 ("darkly") pages with meta-refresh folder stubs',
    canonical='http://implants.4dental.org',
    stubs=lambda f: f.endswith('/index.html'),
    articles=lambda f: f.endswith('.html') and '/index.html' not in f and f != 'index.html'),
 'sandylakedental': dict(dir='sandylakedental', cms='Publii (static CMS) with AMP copies under amp/',
    canonical='https://chandandentistry.com', errors=['404.html'], articles=[]),
 'smilepointdental': dict(dir='smilepointdental', cms='hand-built HTML template (jQuery, PHP form iframes)',
    not_pages=lambda f: '/form' in f and f.endswith(('form.html', 'form1.html')), articles=[]),
 'thenorthclinic': dict(dir='thenorthclinic', cms='WordPress + Elementor (LiteSpeed), PyWebCopy mirror',
    canonical='https://thenorthclinic.com', articles=[]),
 'elaesthetics': dict(dir='elaesthetics-root', cms='Next.js static export (basePath /elaesthetics-bremen-github/)',
    errors=['elaesthetics-bremen-github/404.html', 'elaesthetics-bremen-github/404/index.html'], articles=[]),
 'abacoapodiatry': dict(dir='abacoapodiatry', cms='custom Python static generator, meta-refresh stubs for old WordPress URLs',
    canonical='https://jupiterlaser.com', errors=['404.html'],
    articles=['blog/5-signs-your-heel-pain-is-plantar-fasciitis/index.html', 'blog/laser-therapy-vs-cortisone-injections/index.html',
              'how-mls-laser-therapy-relieves-foot-and-ankle-pain/index.html',
              'innovative-treatments-for-heel-pain-exploring-mls-laser-therapy/index.html']),
 'alignpointchiro': dict(dir='alignpointchiro', cms='single-page app shell (same HTML on every route)', articles=[]),
 'cardstonsmiles': dict(dir='cardstonsmiles/public', cms='Colorlib "Dentista" Bootstrap 4 template, only the home page adapted',
    not_pages=lambda f: f in ('fonts/flaticon/font/flaticon.html', 'main.html'), articles=['blog-single.html']),
 'newhorizonbehavioral': dict(dir='newhorizonbehavioral', cms='WordPress 6 + Elementor/ElementsKit ("Reclin" theme); .htm export',
    not_pages=lambda f: f in ('category/uncategorized/feed/index.htm', 'wp-json/index.htm'), articles=[]),
}

def as_fn(v):
    if v is None: return lambda f: False
    if callable(v): return v
    s = set(v); return lambda f: f in s

def norm(t): return ' '.join((t or '').lower().split())

def identity(rec):
    # the page a copy stands for: its canonical link's path when it names another page, else itself
    c = rec.get('canon')
    f = rec['file']
    if c:
        path = re.sub(r'^[a-z]+://[^/]+', '', c)
        if not path.startswith('/'):
            path = posixpath.normpath(posixpath.join(posixpath.dirname('/' + f), path))
        path = re.sub(r'(index\.html?)$', '', path).rstrip('/')
        return path or '/'
    p = '/' + re.sub(r'(index\.html?)$', '', f).rstrip('/')
    return p or '/'

def main(name):
    cfg = SITES[name]
    recs = [json.loads(l) for l in open(f'{name}.jsonl')]
    notp, stub = as_fn(cfg.get('not_pages')), as_fn(cfg.get('stubs'))
    errors = set(cfg.get('errors', []))
    out = dict(not_pages=[], stubs=[], error_pages=sorted(errors))
    for r in recs:
        f = r['file']
        first = r['start'].strip().lower()
        junk = first.startswith(('not found', 'forbidden')) or first == '' or first.startswith(('{', '<?xml'))
        if notp(f) or junk: out['not_pages'].append(f)
        elif stub(f) or r['refresh'] or (r['title'] or '').startswith('Moved:'): out['stubs'].append(f)
    skip = set(out['not_pages']) | set(out['stubs']) | errors
    pages = [r for r in recs if r['file'] not in skip]
    arts = cfg.get('articles', [])
    out['articles'] = sorted(r['file'] for r in pages if as_fn(arts)(r['file']))
    out['missing_title'] = sorted(r['file'] for r in pages if not (r['title'] or '').strip())
    out['missing_meta_description'] = sorted(r['file'] for r in pages if not (r['desc'] or '').strip())
    out['missing_h1'] = sorted(r['file'] for r in pages if not [h for h in r['h1'] if h])
    out['multiple_h1'] = sorted(r['file'] for r in pages if len([h for h in r['h1'] if h]) > 1)
    out['missing_alt'] = sorted(r['file'] for r in pages if r['n_noalt'])
    groups = {}
    for r in pages:
        if (r['title'] or '').strip(): groups.setdefault(norm(r['title']), {}).setdefault(identity(r), []).append(r['file'])
    # one file per page: the file at the canonical address, else the first copy (corrected after the
    # first scoring run: every copy was listed, though the labels call copies one page)
    out['duplicate_title'] = sorted(next((f for f in fs if identity({'file': f}) == ident), fs[0])
                                    for g in groups.values() if len(g) > 1 for ident, fs in g.items())
    out['broken_link'] = sorted(r['file'] for r in recs if r['n_broken'] and r['file'] not in set(out['not_pages']))
    return cfg, out, len(recs)

def print_site(name, cfg, out, n):
    """One labels.toml [[site]] entry."""
    print(f"\n[[site]]\nname = {json.dumps(name)}\ncms = {json.dumps(cfg['cms'])}")
    if cfg.get('canonical'): print(f"canonical_url = {json.dumps(cfg['canonical'])}")
    print(f"html_files = {n}")
    for k, v in out.items():
        print(f"{k} = [" + ''.join(f"\n  {json.dumps(x)}," for x in v) + ("\n]" if v else "]"))

if __name__ == '__main__':
    for name in sys.argv[1:]:
        print_site(name, *main(name))
