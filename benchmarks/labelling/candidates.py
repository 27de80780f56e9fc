"""Candidate facts per file for hand labelling (stdlib only; shares nothing with siteproof).
python candidates.py SITE_DIR [HOST ...] > SITE.jsonl

HOSTs are the site's own host names: absolute links to them count as links into the folder.
Corrected after the first scoring run (see labels.toml): <link> stylesheets/icons and absolute links to
the site's own host were not looked at, so broken_link missed them. Corrected after the third corpus's
first run (corpus5): the candidates of an <img>/<source> srcset and the canonical <link> were not looked
at either (wkdental's srcset file had been added by hand in the second corpus's correction)."""
import os, re, sys, json
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, unquote

PHONE = re.compile(r'(?<![\d\w])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)|(?:\+\d{2,3}[\s.]?)?\d{3}[\s.]\d{3}[\s.]\d{3}(?!\d)')

# <link>s every visit loads or that name the page's own address (feeds, oEmbed, EditURI and the like are
# metadata nobody opens)
ASSET_RELS = {'stylesheet', 'icon', 'apple-touch-icon', 'manifest', 'preload', 'canonical'}


class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []; self.title = None; self.intitle = False; self.desc = None
        self.h1 = []; self.inh1 = None; self.noalt = []; self.links = []; self.tels = []; self.text = []
        self.skip = 0; self.heads = []; self.canon = None; self.ids = set(); self.refresh = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if 'id' in a: self.ids.add(a['id'])
        if tag == 'a' and 'name' in a: self.ids.add(a['name'])
        if tag in ('script', 'style', 'noscript', 'template'): self.skip += 1
        if tag == 'title' and self.title is None: self.intitle = True; self.title = ''
        if tag == 'meta' and (a.get('name') or '').lower() == 'description': self.desc = a.get('content') or ''
        if tag == 'meta' and (a.get('http-equiv') or '').lower() == 'refresh': self.refresh = a.get('content')
        if tag == 'link':
            rel = (a.get('rel') or '').lower()
            if rel == 'canonical': self.canon = a.get('href')
            self.heads.append((rel, a.get('href')))
            if a.get('href') and set(rel.split()) & ASSET_RELS: self.links.append(a['href'])
        if tag == 'h1': self.inh1 = ''
        if tag == 'img' and not self.skip and 'alt' not in a: self.noalt.append(a.get('src') or a.get('data-src'))
        if tag == 'a' and a.get('href'):
            h = a['href']
            (self.tels if h.lower().startswith('tel:') else self.links).append(h)
        if tag in ('img', 'script', 'iframe', 'source') and a.get('src'): self.links.append(a['src'])
        if tag in ('img', 'source') and a.get('srcset'):
            self.links.extend(c.split()[0] for c in a['srcset'].split(',') if c.split())
    def handle_endtag(self, tag):
        if tag in ('script', 'style', 'noscript', 'template') and self.skip: self.skip -= 1
        if tag == 'title': self.intitle = False
        if tag == 'h1' and self.inh1 is not None: self.h1.append(self.inh1.strip()); self.inh1 = None
    def handle_data(self, d):
        if self.intitle: self.title += d
        if self.inh1 is not None: self.inh1 += d
        if not self.skip and not self.intitle: self.text.append(d)

def main(root, hosts=()):
    files = sorted(os.path.relpath(os.path.join(dp, f), root) for dp, _, fs in os.walk(root) for f in fs
                   if f.lower().endswith(('.html', '.htm')))
    have = set(files)
    allfiles = {os.path.relpath(os.path.join(dp, f), root) for dp, _, fs in os.walk(root) for f in fs}
    for rel in files:
        raw = open(os.path.join(root, rel), 'rb').read()
        head = raw[:300].lstrip(b'\xef\xbb\xbf \r\n\t').lower()
        p = P()
        try: p.feed(raw.decode('utf-8', 'replace')); p.close()
        except Exception as e: print(rel, 'PARSE-ERROR', e); continue
        text = ' '.join(' '.join(p.text).split())
        broken = []
        for h in p.links:
            s = urlsplit(h)
            own = s.scheme in ('http', 'https') and (s.hostname or '').removeprefix('www.') in hosts
            if (s.scheme and not own) or h.startswith(('#', 'mailto:', 'javascript:', '//', 'data:')): continue
            path = unquote(s.path)
            base = '/' + rel
            tgt = (path if own else urljoin(base, path)).lstrip('/')
            cands = [tgt, tgt + 'index.html', tgt + '/index.html', tgt + 'index.htm', tgt.rstrip('/') + '/index.htm']
            if path == '' and not own: continue
            if not any(c in allfiles for c in cands) and not tgt == '': broken.append(h)
        rec = dict(file=rel, start=head[:40].decode('latin1'), title=(p.title or '').strip() if p.title is not None else None,
                   desc=p.desc, h1=p.h1, noalt=p.noalt[:5], n_noalt=len(p.noalt), words=len(text.split()),
                   tels=sorted(set(p.tels)), phones=sorted(set(m.group(0) for m in PHONE.finditer(text)))[:8],
                   broken=sorted(set(broken))[:8], n_broken=len(set(broken)), canon=p.canon, refresh=p.refresh)
        print(json.dumps(rec, ensure_ascii=False))

main(sys.argv[1], tuple(h.removeprefix('www.') for h in sys.argv[2:]))
