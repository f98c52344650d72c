"""The production server's settings (gunicorn.conf.py): a download streamed for longer than
gunicorn's worker timeout finishes (a sync worker is killed at the timeout mid-stream, and
the state's whole export takes minutes), and request lines up to 8190 bytes reach the app.
Run against a real gunicorn, its timeout lowered to 2 s, serving a stream of 4 s."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.integration.test_reminders import free_port

ROOT = Path(__file__).resolve().parents[2]


def slow_stream(environ, start_response):
    if environ["PATH_INFO"] == "/ping":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(len(environ.get("QUERY_STRING", ""))).encode()]
    start_response("200 OK", [("Content-Type", "text/plain")])

    def lines():
        for n in range(8):
            time.sleep(0.5)
            yield f"{n}\n".encode()
    return lines()


def test_a_download_longer_than_the_worker_timeout_is_not_cut_short():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--workers", "1",
                              "--timeout", "2", "--bind", f"127.0.0.1:{port}",
                              "tests.integration.test_gunicorn_config:slow_stream"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                query = "q=" + "x" * 6000  # a request line over gunicorn's default of 4094
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping?{query}", timeout=5) as answer:
                    assert answer.read() == str(len(query)).encode()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stream", timeout=30) as answer:
            assert answer.read().decode().split() == [str(n) for n in range(8)]
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert "WORKER TIMEOUT" not in output
