"""Rebuild the labelled real sites (and the related-post corpora) from their repositories' git objects.

    python benchmarks/corpus_sites.py --mirrors MIRRORS --out DIR

MIRRORS holds one bare repository per source, as ``owner+name/repo`` or ``owner+name.git`` (a `git clone
--bare` of github.com/owner/name will do). Each site in tests/fixtures/realsites/README.md is written to
DIR/<site> from the commit the README names, prepared as its last column says; the related-post corpora of
docs/accuracy.md ("Related posts") go to DIR/related/letmecompile, DIR/related/ka.lpe.sh and
DIR/related/nextsteptherapy.ca. A blob absent
from a partial snapshot (large videos and archives) is left out and named on stderr, as the README says.
Then `python benchmarks/accuracy.py --sites DIR` and `--related DIR/related/<name>` find them.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

# nextsteptherapy's .vercelignore: these folders (at any depth) and *.md but README.md stay off the host
_VERCEL_DIRS = {"docs", "research", "audits", "backups", "archive", "scripts"}


def _vercel_hosted(path: str) -> bool:
    p = PurePosixPath(path)
    return not (set(p.parts[:-1]) & _VERCEL_DIRS) and not (p.suffix == ".md" and p.name != "README.md")


@dataclass(frozen=True)
class Source:
    name: str  # folder under --out
    repo: str  # owner/name on GitHub
    commit: str
    under: str = ""  # only this folder of the repository, as the folder's root
    keep: Callable[[str], bool] = lambda path: True  # on paths relative to `under`
    place: str = ""  # the tree goes to DIR/name/place (a site whose links carry a base path)


SOURCES = (
    Source("newhorizonbehavioral", "1sttus/https---github.com-1sttus-newhorizonbehavioral", "f1492b9"),
    Source("miamiclinicalpsychotherapy", "indiandomain/miamiclinicalpsychotherapy.com", "2d72f59"),
    Source("fabozzidental", "fasteragile/fabozzidental", "e796c56"),
    Source("4dental", "4dental/4dental.github.io", "b759309"),
    Source("sandylakedental", "sandylakedental/sandylakedental.github.io", "3b7efd7"),
    Source("smilepointdental", "smilepointdental/smilepointdental", "21e2152"),
    Source("thenorthclinic", "MCastro34/thenorthclinic-bck", "aba5450"),
    Source("elaesthetics", "felarmouche/elaesthetics-bremen-github", "5170ebc", place="elaesthetics-bremen-github"),
    Source("abacoapodiatry", "Design-of-Man/abacoapodiatry", "8dc8f77", keep=lambda p: not p.startswith("_src/")),
    Source("alignpointchiro", "vijaysaki/alignpointchiro.com", "b7002d8", keep=lambda p: not p.startswith("backup/")),
    Source("cardstonsmiles", "crazy4groovy/cardstonsmiles-website", "109353e", under="public"),
    Source("wkdental", "brlee0510/wkdental", "8ff0b2f"),
    Source("chardonpt", "lennoxlfs/chardon-pt-website", "3b508e3"),
    Source("suzelisholistic", "tsuzelis/suzelisholistic", "83c223f"),
    Source("nextsteptherapy", "jhcynamon1/NextStepTherapySite-v2", "02b2123", keep=_vercel_hosted),
    Source("hcdc", "AhmadHamadi/HCDC", "9aea8e3"),
    # the third corpus (corpus5): labelled before siteproof was run on any of them
    Source("greenleafclinic", "greenleaf/greenleafclinic-web", "53c69162", place="greenleafclinic-web"),
    Source("emeraldental", "marjotoska/emeraldental", "0b86368"),
    Source("backcarecenter", "localember/back-care-center-review", "f2f9816"),
    Source("inspinechiro", "Zecruu/Inspinechiropractic", "88c7936"),
    # HTTrack's project folder: yorkstreetspa.com/ is a byte-identical second copy of the root, hts-cache/ its cache
    Source("yorkstreetspa", "ode10xers/yorkstreetspa", "1ba3724",
           keep=lambda p: not p.startswith(("yorkstreetspa.com/", "hts-cache/"))),
    Source("related/letmecompile", "yjiq150/letmecompile.com", "4e509b9", under="content/posts"),
    Source("related/ka.lpe.sh", "kalpmehta/site", "f23bcb2", under="content/blog"),
    Source("related/nextsteptherapy.ca", "jhcynamon1/NextStepTherapySite-v2", "02b2123"),  # the whole checkout
)


def git_dir(mirrors: Path, repo: str) -> Path:
    stem = repo.replace("/", "+")
    for candidate in (mirrors / stem / "repo", mirrors / f"{stem}.git", mirrors / stem):
        if (candidate / "objects").is_dir():
            return candidate
    raise SystemExit(f"no bare repository for {repo} under {mirrors} (expected {stem}/repo or {stem}.git)")


def extract(gd: Path, src: Source, out: Path) -> tuple[int, list[str]]:
    """Write the commit's tree (``src.under`` of it, filtered by ``src.keep``) to ``out``; (files, absent)."""
    git = ["git", "--git-dir", str(gd)]
    spec = f"{src.commit}:{src.under}" if src.under else src.commit
    listing = subprocess.run(git + ["ls-tree", "-r", "-z", spec], capture_output=True, check=True).stdout
    entries = []
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, path = item.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        path_s = path.decode("utf-8", "surrogateescape")
        if kind == "blob" and src.keep(path_s):
            entries.append((mode, sha, path_s))
    batch = subprocess.Popen(git + ["cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    written, absent = 0, []
    for mode, sha, path in entries:
        batch.stdin.write(sha.encode() + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline().split()
        if header[-1] == b"missing":
            absent.append(path)
            continue
        data = batch.stdout.read(int(header[2]))
        batch.stdout.read(1)  # the newline after each object
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.symlink_to(data.decode("utf-8", "surrogateescape"))
        else:
            target.write_bytes(data)
            if mode == "100755":
                target.chmod(0o755)
        written += 1
    batch.stdin.close()
    batch.wait()
    return written, absent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--mirrors", required=True, type=Path, help="folder of bare repositories (owner+name/repo)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write one folder per site into")
    parser.add_argument("names", nargs="*", help="only these (default: all)")
    args = parser.parse_args(argv)
    for src in SOURCES:
        if args.names and src.name not in args.names:
            continue
        folder = args.out / src.name
        if folder.exists():
            shutil.rmtree(folder)
        written, absent = extract(git_dir(args.mirrors, src.repo), src, folder / src.place if src.place else folder)
        print(f"{src.name}: {written} files from {src.repo} @{src.commit}"
              + (f"; absent from the snapshot, left out: {', '.join(absent)}" if absent else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
