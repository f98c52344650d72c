"""The fetcher connects to the address it checked (ledger/credentials/fetch.py), never to the
name resolved again: a DNS answer that changes between the check and the connection
(rebinding) cannot send it to another server. Real HTTP and HTTPS servers on 127.0.0.1, a
resolver the test controls: the host is named in `Host` and, over TLS, in SNI and the
certificate check (a certificate for another name is refused); when the first checked
address does not answer, the next one is tried."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ledger.credentials.fetch import Fetcher, FetchRefused

SEEN: list[tuple[str, str]] = []  # (path, Host) of each request the servers answered
PEERS: list[tuple] = []  # the client's address of each request: one per connection


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # connections kept open between requests

    def do_GET(self):  # noqa: N802 (http.server's name)
        SEEN.append((self.path, self.headers.get("Host")))
        PEERS.append(self.client_address)
        body = b'{"from": "127.0.0.1"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(httpd):
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    return httpd


@pytest.fixture(scope="module")
def http_port():
    httpd = serve(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()


def certificate(tmp_path, name: str):
    """A self-signed certificate for `name` and its key, as PEM files: (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def https_server(tmp_path):
    """An HTTPS server on 127.0.0.1 holding a certificate for issuer.test: (port, its certificate)."""
    cert_file, key_file = certificate(tmp_path, "issuer.test")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    serve(httpd)
    yield httpd.server_port, cert_file
    httpd.shutdown()
    httpd.server_close()


def resolving(*answers: list[str]):
    """A resolver answering each call with the next list of addresses (the last one again)."""
    calls = []

    def resolve(host, port, type=0):  # noqa: A002 (socket.getaddrinfo's own name)
        addresses = answers[min(len(calls), len(answers) - 1)]
        calls.append(host)
        return [(2, 1, 6, "", (a, port)) for a in addresses]
    return resolve


def test_a_name_is_fetched_from_the_address_checked_and_named_in_host(http_port):
    SEEN.clear()
    fetcher = Fetcher(allow_http=True, allow_hosts=frozenset({f"issuer.test:{http_port}"}),
                      resolve=resolving(["127.0.0.1"]), timeout=2)
    # issuer.test has no address outside this resolver: the answer proves the connection used the one checked
    assert fetcher.get(f"http://issuer.test:{http_port}/key?kid=1") == b'{"from": "127.0.0.1"}'
    assert SEEN == [("/key?kid=1", f"issuer.test:{http_port}")]
    PEERS.clear()
    fetcher.get(f"http://issuer.test:{http_port}/badge")
    fetcher.get(f"http://issuer.test:{http_port}/issuer")
    assert len(PEERS) == 2 and PEERS[0] == PEERS[1]  # the second fetch reused the first's connection


def test_a_rebinding_answer_after_the_check_is_not_followed(http_port):
    """The name's checked address (127.0.0.2, where nothing listens) does not answer; the
    system would resolve `localhost` to 127.0.0.1, where a server does: it is never asked."""
    SEEN.clear()
    fetcher = Fetcher(allow_http=True, allow_hosts=frozenset({f"localhost:{http_port}"}),
                      resolve=resolving(["127.0.0.2"], ["127.0.0.1"]), timeout=1)
    with pytest.raises(FetchRefused, match="could not be fetched"):
        fetcher.get(f"http://localhost:{http_port}/secret")
    assert SEEN == []


def test_the_next_checked_address_is_tried_when_the_first_does_not_answer(http_port):
    SEEN.clear()
    fetcher = Fetcher(allow_http=True, allow_hosts=frozenset({f"issuer.test:{http_port}"}),
                      resolve=resolving(["127.0.0.2", "127.0.0.1"]), timeout=1)
    assert fetcher.get(f"http://issuer.test:{http_port}/ok") == b'{"from": "127.0.0.1"}'
    assert SEEN == [("/ok", f"issuer.test:{http_port}")]


def test_over_tls_the_host_is_named_to_the_server_and_its_certificate_checked(https_server):
    port, cert_file = https_server
    SEEN.clear()
    fetcher = Fetcher(allow_hosts=frozenset({f"issuer.test:{port}"}), resolve=resolving(["127.0.0.1"]),
                      verify=str(cert_file), timeout=2)
    assert fetcher.get(f"https://issuer.test:{port}/did.json") == b'{"from": "127.0.0.1"}'
    assert SEEN == [("/did.json", f"issuer.test:{port}")]
    # the same trusted certificate, but the name asked is another: the certificate is not that host's
    impostor = Fetcher(allow_hosts=frozenset({f"other.test:{port}"}), resolve=resolving(["127.0.0.1"]),
                       verify=str(cert_file), timeout=2)
    with pytest.raises(FetchRefused, match="SSLError"):
        impostor.get(f"https://other.test:{port}/did.json")
    assert len(SEEN) == 1
