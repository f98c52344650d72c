"""The one safe fetcher (ledger/credentials/fetch.py) against a real HTTP server started
in the test on 127.0.0.1: refused by default (loopback), fetched only once that host is
allowed by name; file://, link-local and private addresses refused, and redirects to them
too; answers that are too large or too slow end. Then a hosted Open Badges 2.0 assertion
is imported from that server end to end."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ledger.credentials.fetch import Fetcher, FetchRefused

PAGES: dict[str, tuple[int, dict, bytes]] = {}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/slow":
            time.sleep(2)
        status, headers, body = PAGES.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def allowed(host: str, **kw) -> Fetcher:
    return Fetcher(allow_http=True, allow_hosts=frozenset({host}), timeout=kw.pop("timeout", 1.0), **kw)


def test_by_default_the_local_server_is_refused_as_a_loopback_address(server):
    base, _ = server
    PAGES["/ok"] = (200, {}, b"{}")
    with pytest.raises(FetchRefused, match="only https"):
        Fetcher().get(f"{base}/ok")
    with pytest.raises(FetchRefused, match="private, loopback or link-local"):
        Fetcher(allow_http=True).get(f"{base}/ok")


def test_allowed_by_name_the_local_server_answers(server):
    base, host = server
    PAGES["/ok"] = (200, {}, b'{"ok": true}')
    assert allowed(host).get(f"{base}/ok") == b'{"ok": true}'


@pytest.mark.parametrize("url, why", [
    ("file:///etc/passwd", "only https addresses are fetched (file scheme)"),
    ("ftp://example.org/x", "only https addresses are fetched (ftp scheme)"),
    ("https://127.0.0.1/x", "private, loopback or link-local address (127.0.0.1)"),
    ("https://169.254.169.254/latest/meta-data/", "private, loopback or link-local address (169.254.169.254)"),
    ("https://10.0.0.7/x", "private, loopback or link-local address (10.0.0.7)"),
    ("https://[::1]/x", "private, loopback or link-local address (::1)"),
    ("https://[fe80::1]/x", "private, loopback or link-local address (fe80::1)"),
    ("https://localhost/x", "private, loopback or link-local address"),
])
def test_file_urls_and_private_loopback_and_link_local_addresses_are_refused(url, why):
    with pytest.raises(FetchRefused) as refused:
        Fetcher(allow_http=True).get(url)
    assert why in str(refused.value)


@pytest.mark.parametrize("target, why", [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://127.0.0.1:1/elsewhere", "127.0.0.1"),
    ("file:///etc/passwd", "file scheme"),
])
def test_a_redirect_to_a_refused_address_is_refused_too(server, target, why):
    base, host = server
    PAGES["/hop"] = (302, {"Location": target}, b"")
    with pytest.raises(FetchRefused) as refused:
        allowed(host).get(f"{base}/hop")
    assert why in str(refused.value)


def test_a_redirect_within_the_allowed_server_is_followed_and_loops_end(server):
    base, host = server
    PAGES["/a"] = (301, {"Location": "/ok"}, b"")
    PAGES["/ok"] = (200, {}, b"{}")
    PAGES["/loop"] = (302, {"Location": "/loop"}, b"")
    assert allowed(host).get(f"{base}/a") == b"{}"
    with pytest.raises(FetchRefused, match="more than 5 redirects"):
        allowed(host).get(f"{base}/loop")


def test_too_large_or_too_slow_answers_end(server):
    base, host = server
    PAGES["/big"] = (200, {}, b"x" * 5000)
    PAGES["/slow"] = (200, {}, b"{}")
    with pytest.raises(FetchRefused, match="larger than 1000 bytes"):
        allowed(host, max_bytes=1000).get(f"{base}/big")
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="could not be fetched"):
        allowed(host, timeout=0.3).get(f"{base}/slow")
    assert time.monotonic() - started < 1.5


def test_a_hosted_ob2_assertion_and_its_badge_class_are_fetched_and_recorded_as_hosted(app, client, ledger,
                                                                                       server):
    base, host = server
    educator = ledger.educator("TN", email="hosted@school.example")
    identity = "sha256$" + hashlib.sha256(b"hosted@school.exampledeadsea").hexdigest()
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": f"{base}/assertion-1",
                 "recipient": {"type": "email", "hashed": True, "salt": "deadsea", "identity": identity},
                 "issuedOn": "2024-02-01T00:00:00Z", "badge": f"{base}/badge-1", "verification": {"type": "hosted"}}
    PAGES["/assertion-1"] = (200, {"Content-Type": "application/ld+json"}, json.dumps(assertion).encode())
    PAGES["/badge-1"] = (200, {}, json.dumps({"type": "BadgeClass", "id": f"{base}/badge-1", "name": "Hosted badge",
                                              "issuer": f"{base}/issuer"}).encode())
    PAGES["/issuer"] = (200, {}, json.dumps({"type": "Issuer", "id": f"{base}/issuer",
                                             "name": "A local issuer"}).encode())
    PAGES["/assertion-gone"] = (410, {}, b"")
    app.config.update(FETCH_ENABLED=True, FETCH_ALLOW_HTTP=True, FETCH_ALLOW_HOSTS=host)
    headers = {**ledger.headers(), "Content-Type": "application/json"}
    r = client.post("/api/v1/imports?format=openbadges", data=json.dumps(assertion), headers=headers)
    assert (r.status_code, r.json["accepted"], r.json["errors"]) == (200, 1, []), r.json
    entry = client.get(f"/api/v1/educators/{educator.id}/entries", headers=ledger.headers()).json[0]
    assert entry["verification"] == "hosted" and f"{base}/assertion-1" in entry["verification_detail"]
    # the same assertion given only by its address: fetched, already recorded
    r = client.post("/api/v1/imports?format=openbadges", data=f"{base}/assertion-1\n", headers=headers)
    assert (r.status_code, r.json["duplicates"]) == (200, 1), r.json
    gone = {**assertion, "id": f"{base}/assertion-gone"}
    r = client.post("/api/v1/imports?format=openbadges&dry_run=1", data=json.dumps(gone), headers=headers)
    assert r.status_code == 422 and "revoked" in r.json["errors"][0]["message"], r.json


def test_an_import_fetches_each_address_once_and_at_most_its_budget(app, client, ledger, server):
    base, host = server
    ledger.educator("TN", email="budget@school.example")
    identity = "sha256$" + hashlib.sha256(b"budget@school.exampledeadsea").hexdigest()
    PAGES["/badge-2"] = (200, {}, json.dumps({"type": "BadgeClass", "id": f"{base}/badge-2", "name": "Shared badge",
                                              "issuer": {"id": f"{base}/issuer", "name": "A local issuer"}}).encode())
    assertions = [{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": f"{base}/missing-{n}",
                   "recipient": {"type": "email", "hashed": True, "salt": "deadsea", "identity": identity},
                   "issuedOn": f"2024-02-0{n}T00:00:00Z", "badge": f"{base}/badge-2"} for n in (1, 2, 3)]
    asked = []
    original = Handler.do_GET

    def counting(handler):
        asked.append(handler.path)
        original(handler)

    Handler.do_GET = counting
    try:
        app.config.update(FETCH_ENABLED=True, FETCH_ALLOW_HTTP=True, FETCH_ALLOW_HOSTS=host, FETCH_PER_IMPORT=3)
        r = client.post("/api/v1/imports?format=openbadges&dry_run=1", data=json.dumps(assertions),
                        headers={**ledger.headers(), "Content-Type": "application/json"})
    finally:
        Handler.do_GET = original
    # the badge class once; each assertion's own address until the budget of 3 is spent
    assert asked == ["/missing-1", "/badge-2", "/missing-2"], asked
    assert r.json["accepted"] == 1 and all("already held" in e["message"] for e in r.json["errors"]), r.json
