"""The one way the ledger fetches something from another server (a hosted Open Badges
2.0 assertion or badge class, an issuer's key, a did:web document, a revocation or status
list), with `requests`:

- schemes: https only; http too when `FETCH_ALLOW_HTTP` is set; never file:, ftp: or any other;
- addresses: every address the host resolves to must be public: loopback (127.0.0.0/8,
  ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10,
  where cloud metadata lives), multicast, reserved and unspecified ones are refused,
  unless the host is listed in `FETCH_ALLOW_HOSTS` (host or host:port, for a test server
  or an issuer on the state's own network);
- redirects followed by hand, at most 5, each new address checked as the first;
- a timeout for connecting and for reading (`FETCH_TIMEOUT`, seconds), and a size limit
  (`FETCH_MAX_BYTES`) read as a stream, so a slow or endless answer ends.

The address is checked when resolved, then requests resolves it again to connect: a DNS
answer that changes in between (rebinding) is not caught; `FETCH_ALLOW_HOSTS` empty and an
egress proxy are the defence in depth for that."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests

MAX_REDIRECTS = 5


class FetchRefused(Exception):
    """What could not be fetched and why, for the person whose file named it."""


@dataclass
class Fetcher:
    allow_http: bool = False
    allow_hosts: frozenset[str] = frozenset()
    timeout: float = 5.0
    max_bytes: int = 1024 * 1024
    enabled: bool = True
    resolve: object = socket.getaddrinfo
    session: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def from_config(cls, config) -> Fetcher:
        hosts = config.get("FETCH_ALLOW_HOSTS") or ()
        if isinstance(hosts, str):
            hosts = [h.strip() for h in hosts.split(",") if h.strip()]
        return cls(allow_http=bool(config.get("FETCH_ALLOW_HTTP")), allow_hosts=frozenset(h.lower() for h in hosts),
                   timeout=float(config.get("FETCH_TIMEOUT", 5)), max_bytes=int(config.get("FETCH_MAX_BYTES", 1 << 20)),
                   enabled=bool(config.get("FETCH_ENABLED", True)))

    def check(self, url: str) -> None:
        """Refuse a URL the ledger may not fetch; return quietly otherwise."""
        try:
            parts = urlsplit(url)
            parts.hostname  # noqa: B018 (a malformed host raises here)
        except ValueError:
            raise FetchRefused(f"{url[:200]}: is not an address") from None
        scheme = parts.scheme.lower()
        if scheme not in ("https", "http"):
            raise FetchRefused(f"{url[:200]}: only https addresses are fetched ({scheme or 'no'} scheme)")
        if scheme == "http" and not self.allow_http:
            raise FetchRefused(f"{url[:200]}: only https addresses are fetched (http is not allowed here)")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchRefused(f"{url[:200]}: the address names no host")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FetchRefused(f"{url[:200]}: the port is not a number") from None
        if host in self.allow_hosts or f"{host}:{port}" in self.allow_hosts:
            return
        try:
            infos = self.resolve(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            raise FetchRefused(f"{url[:200]}: the host {host} cannot be found") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not address.is_global or address.is_multicast:
                raise FetchRefused(f"{url[:200]}: {host} is a private, loopback or link-local address ({address}); "
                                   "the ledger fetches only from public servers")

    def get(self, url: str, accept: str = "application/json, application/ld+json;q=0.9, */*;q=0.1") -> bytes:
        """The body at `url`, or FetchRefused saying why not."""
        if not self.enabled:
            raise FetchRefused(f"{url[:200]}: fetching from other servers is turned off here (FETCH_ENABLED)")
        for _ in range(MAX_REDIRECTS + 1):
            self.check(url)
            try:
                response = self.session.get(url, headers={"Accept": accept}, timeout=(self.timeout, self.timeout),
                                            allow_redirects=False, stream=True)
            except requests.RequestException as exc:
                raise Unreachable(f"{url[:200]}: could not be fetched ({type(exc).__name__})") from None
            with response:
                if response.is_redirect or response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchRefused(f"{url[:200]}: redirected nowhere")
                    url = urljoin(url, location)
                    continue
                if response.status_code == 410:
                    raise Gone(f"{url[:200]}: the issuer answers 410 Gone (revoked or withdrawn)")
                if response.status_code != 200:
                    raise FetchRefused(f"{url[:200]}: the server answered {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchRefused(f"{url[:200]}: larger than {self.max_bytes} bytes")
                body = bytearray()
                try:
                    for chunk in response.iter_content(65536):
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise FetchRefused(f"{url[:200]}: larger than {self.max_bytes} bytes")
                except requests.RequestException as exc:
                    raise FetchRefused(f"{url[:200]}: could not be read ({type(exc).__name__})") from None
                return bytes(body)
        raise FetchRefused(f"{url[:200]}: more than {MAX_REDIRECTS} redirects")


class Unreachable(FetchRefused):
    """The server did not answer (connection refused, timed out): its other addresses are
    not tried again in the same import."""


class Gone(FetchRefused):
    """410 Gone: for a hosted assertion, the issuer revoked it."""
