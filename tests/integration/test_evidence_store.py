"""The evidence store's interface on both stores: the local directory (the embedded
default) and S3, against moto's S3 server on a free local port (boto3 speaks real HTTP
to it, as to AWS or MinIO)."""

from __future__ import annotations

import hashlib
import socket
from datetime import date

import pytest

from ledger.submissions.storage import LocalStore, S3Store, StoreError, store_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3():
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    client.create_bucket(Bucket="evidence")
    yield S3Store("evidence", client=client), client
    server.stop()


def _contract(store) -> None:
    data = b"%PDF-1.4\n% evidence\n%%EOF\n"
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.put(data) == key  # the same bytes, the same key, kept once
    assert store.get(key) == data
    store.delete(key)
    with pytest.raises(StoreError):
        store.get(key)
    store.delete(key)  # deleting what is gone is nothing
    with pytest.raises(StoreError):
        store.get("../../etc/passwd")  # a key is a SHA-256, never a path


def test_the_local_store_keeps_bytes_by_their_sha256(tmp_path):
    _contract(LocalStore(tmp_path))


def test_the_s3_store_keeps_bytes_by_their_sha256(s3):
    store, client = s3
    _contract(store)
    key = store.put(b"\x89PNG kept")
    assert client.head_object(Bucket="evidence", Key=f"evidence/{key}")["ContentLength"] == 9


def test_the_settings_choose_the_store(tmp_path):
    assert isinstance(store_for({"EVIDENCE_DIR": str(tmp_path)}, "/nowhere"), LocalStore)
    assert store_for({}, str(tmp_path)).root == tmp_path / "evidence"
    with pytest.raises(StoreError, match="S3_BUCKET"):
        store_for({"EVIDENCE_STORE": "s3"}, str(tmp_path))
    with pytest.raises(StoreError, match="local or s3"):
        store_for({"EVIDENCE_STORE": "ftp"}, str(tmp_path))


def test_a_submission_keeps_its_evidence_in_s3_and_its_entry_serves_it(s3, ledger, session):
    import sqlalchemy as sa

    from ledger.access.principals import ADMIN, DISTRICT_HR, Principal
    from ledger.models import District
    from ledger.submissions import service

    store, client = s3
    teacher = ledger.educator("UT", district="JUAB")
    data = b"%PDF-1.4\n% certificate in S3\n%%EOF\n"
    sub = service.submit(session, Principal(ADMIN, "test"), teacher.id,
                         {"kind": "activity", "title": "Workshop", "hours": 3, "earned_on": date(2022, 2, 1)},
                         date(2026, 1, 1), store, evidence_file=(data, "certificate.pdf"))
    assert client.get_object(Bucket="evidence", Key=f"evidence/{sub.evidence.sha256}")["Body"].read() == data
    juab = session.scalar(sa.select(District.id).where(District.code == "JUAB"))
    entry, created = service.approve(session, Principal(DISTRICT_HR, "hr", district_id=juab), sub.id,
                                     date(2026, 1, 1))
    assert created and service.entry_evidence(session, Principal(ADMIN, "t"), store, entry.id)[1] == data
