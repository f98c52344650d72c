"""Serving 1EdTech's fixtures at the addresses they name (https://example.org/...,
https://raw.githubusercontent.com/...), without the network: a requests adapter that
answers from files (the fetcher's transport for every host: what it asks is the host it
names and the path), and a resolver that says those hosts are public. The ledger's one
fetcher (ledger/credentials/fetch.py) is used as it is, with these two collaborators."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ledger.credentials.fetch import Fetcher

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OB20_ASSETS = FIXTURES / "ob20" / "assets"
BSL = ("https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/"
       "inspector-vc/src/test/resources/ob30/bit-string-list/testlist")


class Files(BaseAdapter):
    def __init__(self, routes: dict[str, bytes]):
        super().__init__()
        self.routes = routes
        self.asked: list[str] = []

    def send(self, request, **kwargs):
        # the fetcher connects to the address it checked and names the host in `Host`: the URL asked is rebuilt
        parts = urlsplit(request.url)
        url = parts._replace(netloc=request.headers["Host"]).geturl()
        self.asked.append(url)
        response = requests.Response()
        body = self.routes.get(url)
        response.status_code = 200 if body is not None else 404
        response.raw = io.BytesIO(body or b"not here")
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response.url, response.request = url, request
        return response

    def close(self):
        pass


def routes() -> dict[str, bytes]:
    """Every OB 2.0 asset at its id (http and https, as the fixtures mix them), and the
    Bitstring status list at its address."""
    out = {}
    for path in OB20_ASSETS.glob("*.json"):
        for scheme in ("http", "https"):
            out[f"{scheme}://example.org/{path.name}"] = path.read_bytes()
    out[BSL] = (FIXTURES / "ob30" / "bit-string-list" / "testlist").read_bytes()
    return out


def fixture_fetcher(extra: dict[str, bytes] | None = None) -> tuple[Fetcher, Files]:
    files = Files({**routes(), **(extra or {})})

    def resolve(host, port, type=0):  # noqa: A002 (socket.getaddrinfo's own name)
        return [(2, 1, 6, "", ("93.184.215.14", port))]  # a public address: the fetcher's checks still run

    return Fetcher(allow_http=True, resolve=resolve, adapter=lambda host: files), files
