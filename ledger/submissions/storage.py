"""Where evidence bytes live: a small interface (put, get, delete by key), content-addressed
by SHA-256, so the same file sent twice is kept once and a key names exactly its bytes.

- `LocalStore`: a directory (default `instance/evidence`), the embedded default;
- `S3Store`: any S3-compatible store (AWS S3, MinIO, Ceph...) through boto3, for
  production and for several machines sharing the files.

`store_for(config)` picks one from the settings: EVIDENCE_STORE=local|s3, EVIDENCE_DIR,
S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_PREFIX (credentials as boto3 reads them:
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an instance role)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^[0-9a-f]{64}$")


class StoreError(Exception):
    """The store cannot do it (missing object, unreachable service)."""


class Store(Protocol):
    def put(self, data: bytes) -> str:
        """Keep the bytes; their key (the hex SHA-256). Idempotent."""

    def get(self, key: str) -> bytes:
        """The bytes kept under `key`; StoreError when there are none."""

    def delete(self, key: str) -> None:
        """Forget `key` (nothing if absent)."""


def key_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise StoreError(f"not an evidence key: {key[:80]!r}")
    return key


class LocalStore:
    """Files under a directory, fanned out by the key's first two characters."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = _checked(key)
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        key = key_of(data)
        path = self._path(key)
        if path.exists() and path.stat().st_size == len(data):
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside, then renamed: a reader never sees half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".put-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise StoreError(f"no evidence stored under {key}") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """Objects `PREFIX + key` in one bucket of an S3-compatible service."""

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 prefix: str = "evidence/", client=None):
        if client is None:
            import boto3  # only when S3 is configured: the embedded default never loads it

            client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, data: bytes) -> str:
        key = key_of(data)
        import base64

        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data,
                               ContentMD5=base64.b64encode(hashlib.md5(data).digest()).decode())  # noqa: S324
        return key

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))["Body"].read()
        except ClientError as exc:
            raise StoreError(f"no evidence stored under {key}: {exc.response['Error'].get('Code')}") from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _checked(key))


def store_for(config, instance_path: str) -> Store:
    kind = (config.get("EVIDENCE_STORE") or "local").lower()
    if kind == "s3":
        if not config.get("S3_BUCKET"):
            raise StoreError("EVIDENCE_STORE=s3 needs S3_BUCKET")
        return S3Store(config["S3_BUCKET"], endpoint_url=config.get("S3_ENDPOINT_URL"),
                       region=config.get("S3_REGION"), prefix=config.get("S3_PREFIX", "evidence/"))
    if kind != "local":
        raise StoreError(f"EVIDENCE_STORE={kind!r}: local or s3")
    return LocalStore(config.get("EVIDENCE_DIR") or os.path.join(instance_path, "evidence"))
