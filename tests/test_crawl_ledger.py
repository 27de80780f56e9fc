"""The crawl's bookkeeping without a network: de-duplication, redirect chains, loops, scope."""
from audits.config import from_dict
from audits.model import Fetch
from crawler.ledger import Ledger, PendingHop
from crawler.outcomes import looks_like_challenge, retry_after_seconds
from crawler.scope import Scope

A, B, C, D = (f"https://clinic.test/{p}" for p in "abcd")


def hop(status, location):
    return PendingHop(status=status, location=location, method="GET", external=False)


def test_a_url_is_claimed_once_per_method_and_never_headed_after_a_get():
    ledger = Ledger()
    assert ledger.claim(A, "HEAD")
    assert not ledger.claim(A, "HEAD")
    assert ledger.claim(A, "GET")  # a page needs the body a HEAD did not bring
    assert not ledger.claim(A, "GET")
    assert ledger.claim(B, "GET")
    assert not ledger.claim(B, "HEAD")


def test_a_chain_resolves_when_its_last_hop_answers():
    ledger = Ledger()
    assert ledger.redirect(A, hop(301, B)) == ([], B)
    assert ledger.redirect(B, hop(302, C), hops_so_far=1) == ([], C)
    fetches = ledger.resolve(Fetch(url=C, status=200, final_url=C))
    by_url = {f.url: f for f in fetches}
    assert set(by_url) == {A, B, C}
    assert [(h.url, h.status) for h in by_url[A].redirect_chain] == [(A, 301), (B, 302)]
    assert by_url[A].final_url == C and by_url[A].status == 200
    assert ledger.unresolved == 0


def test_a_redirect_into_a_known_url_completes_without_a_request():
    ledger = Ledger()
    ledger.resolve(Fetch(url=B, status=404, final_url=B))
    fetches, next_url = ledger.redirect(A, hop(308, B))
    assert next_url is None
    assert fetches[0].url == A and fetches[0].status == 404
    assert [h.status for h in fetches[0].redirect_chain] == [308]


def test_a_loop_is_named_on_every_url_of_the_cycle_and_on_chains_into_it():
    ledger = Ledger()
    ledger.redirect(D, hop(301, A))  # D leads into the loop from outside
    ledger.redirect(A, hop(302, B))
    ledger.redirect(B, hop(302, C))
    fetches, next_url = ledger.redirect(C, hop(302, A))
    assert next_url is None
    by_url = {f.url: f for f in fetches}
    assert set(by_url) == {A, B, C, D}
    assert all(f.error == "redirect-loop" for f in fetches)
    assert [h.url for h in by_url[B].redirect_chain] == [B, C, A]
    assert [h.url for h in by_url[D].redirect_chain] == [D, A, B, C]
    assert ledger.unresolved == 0


def test_a_self_redirect_is_a_loop():
    fetches, _ = Ledger().redirect(A, hop(301, A))
    assert fetches[0].error == "redirect-loop"


def test_an_over_long_chain_stops_being_followed():
    ledger = Ledger(max_redirects=2)
    ledger.redirect(A, hop(301, B))
    ledger.redirect(B, hop(301, C), hops_so_far=1)
    fetches, next_url = ledger.redirect(C, hop(301, D), hops_so_far=2)
    assert next_url is None
    by_url = {f.url: f for f in fetches}
    assert by_url[A].error == "too-many-redirects"
    assert len(by_url[A].redirect_chain) == 3


def test_scope_is_start_hosts_aliases_and_canonical_www_and_scheme_twins():
    config = from_dict({"site": {"start_urls": ["http://127.0.0.1:8000/"],
                                 "canonical_url": "https://clinic.test",
                                 "aliases": ["https://old-host.test"]}})
    scope = Scope(config)
    assert scope.internal("http://127.0.0.1:8000/a")
    assert not scope.internal("http://127.0.0.1:8001/a")
    assert scope.internal("http://www.clinic.test/x") and scope.internal("https://clinic.test:443/")
    assert scope.internal("http://old-host.test/")
    assert not scope.internal("https://elsewhere.test/")
    assert not scope.fetchable("mailto:a@clinic.test") and not scope.fetchable("tel:+15595550142")
    assert not scope.fetchable("javascript:void(0)") and not scope.fetchable("data:text/plain,x")


def test_invalid_hosts_are_known_not_to_resolve():
    assert Scope.never_resolves("https://journal.example.invalid/study")
    assert Scope.never_resolves("http://INVALID./")
    assert not Scope.never_resolves("https://invalid.example.com/")
    assert not Scope.never_resolves("http://127.0.0.1:8000/")


def test_bot_walls_and_retry_after():
    wall = b"<html><title>Just a moment...</title></html>"
    assert looks_like_challenge(503, {}, wall)
    assert looks_like_challenge(403, {"cf-mitigated": "challenge"}, b"")
    assert not looks_like_challenge(404, {}, wall)
    assert not looks_like_challenge(403, {}, b"<h1>Forbidden</h1>")
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
