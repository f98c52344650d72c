"""The one way the ledger fetches something from another server (a hosted Open Badges
2.0 assertion or badge class, an issuer's key, a did:web document, a revocation or status
list), with `requests`:

- schemes: https only; http too when `FETCH_ALLOW_HTTP` is set; never file:, ftp: or any other;
- addresses: every address the host resolves to must be public: loopback (127.0.0.0/8,
  ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10,
  where cloud metadata lives), multicast, reserved and unspecified ones are refused,
  unless the host is listed in `FETCH_ALLOW_HOSTS` (host or host:port, for a test server
  or an issuer on the state's own network);
- the connection goes to an address that was checked, not to the name resolved again: a
  DNS answer that changes between the check and the connection (rebinding) cannot send it
  elsewhere. The host is still named in the request (`Host`) and, over https, to TLS
  (SNI, and the certificate must be the host's: `_Pinned`);
- redirects followed by hand, at most 5, each new address checked as the first;
- a timeout for connecting and for reading (`FETCH_TIMEOUT`, seconds), and a size limit
  (`FETCH_MAX_BYTES`) read as a stream, so a slow or endless answer ends."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter

MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Target:
    """Where a checked URL is fetched from: its host and port as named, and the addresses
    it resolved to, each checked."""
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]

    def via(self, url: str, address: str) -> str:
        """`url` with its host replaced by `address` (the connection's), path and query kept."""
        parts = urlsplit(url)
        literal = f"[{address.replace('%', '%25')}]" if ":" in address else address
        return parts._replace(netloc=f"{literal}:{self.port}").geturl()

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


class _Pinned(HTTPAdapter):
    """Connects to the address in the URL (a checked one) while naming `host` to TLS: the
    server name sent (SNI) and the name the certificate must hold. Plain http drops both."""

    def __init__(self, host: str):
        self.host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, server_hostname=self.host, assert_hostname=self.host, **kwargs)


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
    verify: bool | str = True  # requests' `verify`: the CA bundle TLS certificates are checked against
    adapter: Callable[[str], BaseAdapter] = _Pinned  # the transport for a host (the tests' files stand in)
    _sessions: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_config(cls, config) -> Fetcher:
        hosts = config.get("FETCH_ALLOW_HOSTS") or ()
        if isinstance(hosts, str):
            hosts = [h.strip() for h in hosts.split(",") if h.strip()]
        return cls(allow_http=bool(config.get("FETCH_ALLOW_HTTP")), allow_hosts=frozenset(h.lower() for h in hosts),
                   timeout=float(config.get("FETCH_TIMEOUT", 5)), max_bytes=int(config.get("FETCH_MAX_BYTES", 1 << 20)),
                   enabled=bool(config.get("FETCH_ENABLED", True)))

    def check(self, url: str) -> Target:
        """Refuse a URL the ledger may not fetch; otherwise where to fetch it from."""
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
        allowed = host in self.allow_hosts or f"{host}:{port}" in self.allow_hosts
        try:
            infos = self.resolve(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            raise FetchRefused(f"{url[:200]}: the host {host} cannot be found") from None
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%")[0])
            if not allowed and (not address.is_global or address.is_multicast):
                raise FetchRefused(f"{url[:200]}: {host} is a private, loopback or link-local address ({address}); "
                                   "the ledger fetches only from public servers")
            if info[4][0] not in addresses:
                addresses.append(info[4][0])
        if not addresses:
            raise FetchRefused(f"{url[:200]}: the host {host} cannot be found")
        return Target(scheme, host, port, tuple(addresses))

    def _send(self, url: str, target: Target, accept: str) -> requests.Response:
        """GET `url` from the first of the target's checked addresses that answers."""
        failure = None
        session = self._session_for(target)
        for address in target.addresses:
            try:
                return session.get(target.via(url, address), headers={"Accept": accept, "Host": target.host_header},
                                   timeout=(self.timeout, self.timeout), allow_redirects=False, stream=True,
                                   verify=self.verify)
            except requests.ConnectionError as exc:
                failure = exc
            except requests.RequestException as exc:
                raise Unreachable(f"{url[:200]}: could not be fetched ({type(exc).__name__})") from None
        raise Unreachable(f"{url[:200]}: could not be fetched ({type(failure).__name__})") from None

    def _session_for(self, target: Target) -> requests.Session:
        """One session per scheme and host, kept for this fetcher's life (an import's): its
        connections to the host's checked addresses are reused from one fetch to the next."""
        key = (target.scheme, target.host)
        if key not in self._sessions:
            session = requests.Session()
            session.mount(f"{target.scheme}://", self.adapter(target.host))
            self._sessions[key] = session
        return self._sessions[key]

    def get(self, url: str, accept: str = "application/json, application/ld+json;q=0.9, */*;q=0.1") -> bytes:
        """The body at `url`, or FetchRefused saying why not."""
        if not self.enabled:
            raise FetchRefused(f"{url[:200]}: fetching from other servers is turned off here (FETCH_ENABLED)")
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url, self.check(url), accept)
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
