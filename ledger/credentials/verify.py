"""Checking one received credential: its proof with the keys the registry holds for its
issuer, its hosted copy for an unsigned Open Badges 2.0 assertion, its revocation status,
then its types and dates (rules.py). The answer is an `Outcome`: the credential to read,
how it was verified (`verified`, `unverifiable`, `hosted`) and why, or the problems that
refuse it. No database here: the registry is the `keys_for` callable the service passes.

- An OB 3.0 VC-JWT, or an OB 3.0 credential with an `eddsa-rdfc-2022` proof, is
  `verified` when a key registered for its issuer checks its signature; a signature that
  a key (registered, or the one its own did:key / multibase verification method names)
  contradicts is refused; with no key known it is `unverifiable`.
- An OB 2.0 signed assertion (JWS) is checked the same way, with the keys registered for
  its badge's issuer or for its `verification.creator`. Sent as bare JSON, a signed
  assertion has lost its signature and is refused.
- An unsigned OB 2.0 assertion is hosted: fetched again from its own `id` through the one
  safe fetcher; the issuer's copy is the one read (`hosted`); 410 Gone is a revocation.
  A badge class or issuer given by URL is fetched the same way.
- Revocation: an OB 3.0 `credentialStatus` (1EdTechRevocationList, or a
  BitstringStatusListEntry / StatusList2021Entry), an OB 2.0 issuer's `revocationList`,
  read when reachable; a revoked credential is refused naming the reason."""

from __future__ import annotations

import base64
import copy
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from . import keys as keyforms
from . import proofs, rules
from .fetch import Fetcher, FetchRefused, Gone, Unreachable
from .received import Received

VERIFIED, UNVERIFIABLE, HOSTED = "verified", "unverifiable", "hosted"
MAX_STATUS_LIST = 16 * 1024 * 1024
KeysFor = Callable[[str | None, str | None], list[tuple[int, dict]]]  # (issuer id, key id) -> [(row id, jwk)]


@dataclass
class Outcome:
    document: dict | None = None
    format: str = ""
    verification: str | None = None
    detail: str = ""
    key_id: int | None = None
    original: bytes = b""
    errors: list[tuple[str, str]] = field(default_factory=list)

    def refuse(self, field_: str, message: str) -> Outcome:
        self.errors.append((field_, message))
        return self


@dataclass
class Verifier:
    """One per import or badge file: what it fetched is remembered for its other rows (a
    badge class named by a thousand assertions is fetched once), and it fetches at most
    `budget` addresses, so a large file of hosted badges cannot hold the request for hours."""

    keys_for: KeysFor
    fetcher: Fetcher
    today: date
    budget: int = 200
    _fetched: dict = field(default_factory=dict)
    _down: set = field(default_factory=set)  # hosts that did not answer: not asked again in this file

    def check(self, received: Received) -> Outcome:
        out = Outcome(original=received.original)
        if received.problem:
            return out.refuse("row", received.problem)
        doc = received.document
        if received.hosted_url:
            try:
                doc = self._json(received.hosted_url)
            except FetchRefused as exc:
                where = "the bake holds" if received.container in ("png", "svg") else "the file gives"
                return out.refuse("file", f"is a hosted badge ({where} only its address), which could not be "
                                          f"fetched ({exc}): download the badge's JSON from its issuer and send that")
            out.original = json.dumps(doc).encode()
        if received.signed:
            credential = proofs.vc_jwt_credential(doc) if isinstance(doc, dict) else doc
        else:
            credential = doc
        kind = rules.kind(credential)
        if kind is None:
            return out.refuse("type", rules.not_a_credential(credential))
        if kind == rules.OB3:
            out.format = "ob3-vc-jwt" if received.signed else "ob3-json"
            self._ob3(out, received, doc, credential)
        else:
            out.format = "ob2-jws" if received.signed else "ob2-json"
            self._ob2(out, received, credential)
        if out.document is not None:
            # every problem is named, not only the first: a changed type also breaks the proof
            out.errors.extend(p for p in rules.problems(out.document, self.today) if p not in out.errors)
        return out

    # -- Open Badges 3.0

    def _ob3(self, out: Outcome, received: Received, claims: dict, credential: dict) -> None:
        out.document = credential
        issuer = _issuer_id(credential.get("issuer"))
        if received.signed:
            self._jws(out, received.token, issuer, None, "VC-JWT")
            out.errors.extend(proofs.vc_jwt_claims(claims, credential, self.today))
        else:
            self._data_integrity(out, credential, issuer)
        if not out.errors:
            self._status(out, credential)

    def _data_integrity(self, out: Outcome, credential: dict, issuer: str | None) -> None:
        try:
            proof = proofs.the_proof(credential)
        except proofs.CannotCheck as exc:
            out.verification, out.detail = UNVERIFIABLE, str(exc)
            return
        except proofs.ProofError as exc:
            out.refuse("proof", str(exc))
            return
        if proof is None:
            out.verification, out.detail = UNVERIFIABLE, "the credential carries no proof"
            return
        method = proof["verificationMethod"]
        named = _named_key(method)
        if isinstance(named, str):
            out.refuse("proof.verificationMethod", named)
            return
        try:
            registered = self.keys_for(issuer, method)
            if named is None and not registered:
                out.verification, out.detail = UNVERIFIABLE, f"no key is registered for the issuer {issuer}"
                return
            signed = proofs.signed_data(credential)  # canonicalized once for every key tried
            if named is not None:
                proofs.check_signed(signed, named)  # the key it names must at least agree
            if not registered:
                out.verification = UNVERIFIABLE
                out.detail = (f"no key is registered for the issuer {issuer} (its proof agrees with the key it "
                              "names, which vouches for nothing by itself)")
                return
            key_row = _first_key(registered, lambda jwk: proofs.check_signed(signed, jwk))
            if key_row is not None:
                out.verification, out.key_id = VERIFIED, key_row
                out.detail = f"eddsa-rdfc-2022 proof checked with the registered key {key_row} of {issuer}"
                return
            out.refuse("proof", f"the proof is not made by any of the {len(registered)} keys registered for the "
                                f"issuer {issuer}")
        except proofs.CannotCheck as exc:
            out.verification, out.detail = UNVERIFIABLE, str(exc)
        except proofs.ProofError as exc:
            out.refuse("proof", str(exc))

    # -- Open Badges 2.0

    def _ob2(self, out: Outcome, received: Received, assertion: dict) -> None:
        if not received.signed and rules.signature_stripped(assertion):
            out.refuse("verification", "the assertion says it is signed (verification: signed) but came without its "
                                       "signature: send the signed assertion (the JWS) exactly as the issuer issued it")
            return
        if not received.signed:
            assertion = self._hosted(out, assertion)
            if out.errors:
                return
        assertion = dict(assertion)
        badge = assertion.get("badge")
        if isinstance(badge, str):
            try:
                badge = assertion["badge"] = self._json(badge)
            except FetchRefused as exc:
                out.refuse("badge", f"the badge class is given only by its address, which could not be fetched "
                                    f"({exc}): embed the BadgeClass in the assertion")
                return
        issuer = badge.get("issuer") if isinstance(badge, dict) else None
        if isinstance(issuer, str) and isinstance(badge, dict):
            try:
                badge = assertion["badge"] = {**badge, "issuer": self._json(issuer)}
                issuer = badge["issuer"]
            except FetchRefused:
                pass  # the issuer's address is its id; its name is not needed to record the badge
        out.document = assertion
        issuer_id = _issuer_id(issuer)
        if not received.signed and isinstance(issuer, dict):
            refused = rules.hosted_origin(assertion.get("id"), issuer, strict=out.verification == HOSTED)
            if refused:
                out.refuse("id", refused)
                return
        if received.signed:
            creator = assertion.get("verification", {}).get("creator") if isinstance(
                assertion.get("verification"), dict) else None
            self._jws(out, received.token, issuer_id, creator, "signed assertion")
        if not out.errors and isinstance(issuer, dict) and isinstance(issuer.get("revocationList"), str):
            self._ob2_revoked(out, assertion, issuer["revocationList"])

    def _hosted(self, out: Outcome, assertion: dict) -> dict:
        url = assertion.get("id")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            out.verification, out.detail = UNVERIFIABLE, "the assertion's id is not an address to check it at"
            return assertion
        try:
            hosted = self._json(url)
        except Gone as exc:
            out.refuse("id", f"the assertion was revoked: {exc}")
            return assertion
        except FetchRefused as exc:
            out.verification, out.detail = UNVERIFIABLE, f"its hosted copy could not be fetched: {exc}"
            return assertion
        if not isinstance(hosted, dict) or hosted.get("id") != url:
            out.refuse("id", f"{url[:200]} does not answer with this assertion (a hosted assertion's id must be "
                             "where its issuer serves it)")
            return assertion
        out.verification, out.detail = HOSTED, f"fetched from its issuer at {url[:300]}"
        return hosted

    def _ob2_revoked(self, out: Outcome, assertion: dict, url: str) -> None:
        try:
            listed = self._json(url)
        except FetchRefused as exc:
            out.verification = UNVERIFIABLE
            out.detail += f"; its issuer's revocation list could not be read ({exc})"
            return
        for item in listed.get("revokedAssertions", []) if isinstance(listed, dict) else []:
            rid = item.get("id") if isinstance(item, dict) else item
            if rid == assertion.get("id"):
                reason = item.get("revocationReason") if isinstance(item, dict) else None
                out.refuse("id", "the issuer revoked this assertion" + (f": {reason}" if reason else ""))

    # -- shared

    def _jws(self, out: Outcome, token: str, issuer: str | None, key_id: str | None, what: str) -> None:
        try:
            header = proofs.jws_header(token)
        except proofs.ProofError as exc:
            out.refuse("signature", str(exc))
            return
        registered = self.keys_for(issuer, key_id or header.get("kid"))
        if not registered:
            out.verification = UNVERIFIABLE
            out.detail = f"{what}: no key is registered for the issuer {issuer}"
            return
        key_row = _first_key(registered, lambda jwk: proofs.verify_jws(token, jwk))
        if key_row is not None:
            out.verification, out.key_id = VERIFIED, key_row
            out.detail = f"{what} ({header.get('alg')}) checked with the registered key {key_row} of {issuer}"
            return
        out.refuse("signature", f"the {what}'s signature is not made by any of the {len(registered)} keys registered "
                                f"for the issuer {issuer} (changed after signing, or signed with another key)")

    def _status(self, out: Outcome, credential: dict) -> None:
        status = credential.get("credentialStatus")
        for entry in status if isinstance(status, list) else [status] if isinstance(status, dict) else []:
            kind = entry.get("type")
            try:
                if kind == "1EdTechRevocationList":
                    listed = self._json(entry["id"])
                    for item in listed.get("revokedCredentials", []) if isinstance(listed, dict) else []:
                        if isinstance(item, dict) and item.get("id") == credential.get("id"):
                            reason = item.get("revocationReason")
                            out.refuse("credentialStatus", "the issuer revoked this credential"
                                       + (f": {reason}" if reason else ""))
                elif kind in ("BitstringStatusListEntry", "StatusList2021Entry"):
                    if entry.get("statusPurpose", "revocation") == "revocation" and self._bit(entry):
                        out.refuse("credentialStatus", "the issuer revoked this credential (its bit is set in "
                                                       f"{str(entry.get('statusListCredential'))[:200]})")
            except (FetchRefused, KeyError, IndexError, ValueError, TypeError, OSError, EOFError, zlib.error) as exc:
                out.verification = UNVERIFIABLE
                out.detail = (out.detail + "; " if out.detail else "") + (
                    f"its revocation status could not be read ({str(exc)[:300] or type(exc).__name__})")

    def _bit(self, entry: dict) -> bool:
        listed = self._json(entry["statusListCredential"])
        subject = listed["credentialSubject"]
        encoded = subject["encodedList"]
        packed = base64.urlsafe_b64decode(encoded.lstrip("u") + "=" * (-len(encoded.lstrip("u")) % 4))
        inflater = zlib.decompressobj(wbits=31)  # GZIP, bounded: a status list is not a zip bomb
        raw = inflater.decompress(packed, MAX_STATUS_LIST)
        if inflater.unconsumed_tail:
            raise ValueError("the status list inflates past 16 MiB")
        index = int(entry["statusListIndex"])
        if not 0 <= index < len(raw) * 8:
            raise ValueError(f"statusListIndex {index} is outside the list")
        return bool(raw[index // 8] & (0x80 >> (index % 8)))

    def _json(self, url):
        if not isinstance(url, str):
            raise FetchRefused(f"{str(url)[:100]} is not an address")
        try:
            host = urlsplit(url).netloc.lower()
        except ValueError:
            raise FetchRefused(f"{url[:200]} is not an address") from None
        if url not in self._fetched and host in self._down:
            raise FetchRefused(f"{url[:200]}: not fetched ({host} did not answer earlier in this file)")
        if url not in self._fetched:
            if self.budget <= 0:
                raise FetchRefused(f"{url[:200]}: not fetched (this file already needed more addresses fetched than "
                                   "one import may fetch; send the badges with their badge classes embedded)")
            self.budget -= 1
            try:
                body = self.fetcher.get(url)
                self._fetched[url] = json.loads(body)
            except FetchRefused as exc:
                self._fetched[url] = exc
                if isinstance(exc, Unreachable):
                    self._down.add(host)
            except (ValueError, RecursionError):
                self._fetched[url] = FetchRefused(f"{url[:200]}: the answer is not JSON")
        found = self._fetched[url]
        if isinstance(found, FetchRefused):
            raise found
        return copy.deepcopy(found)


def offline(today: date) -> Verifier:
    """A verifier that knows no key and fetches nothing: everything signed is unverifiable."""
    return Verifier(lambda issuer, key_id: [], Fetcher(enabled=False), today)


def _issuer_id(issuer) -> str | None:
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def _first_key(registered, check):
    """The first registered key (its row id) whose JWK `check` accepts (a ProofError is a
    refusal); None when none does."""
    for key_row, jwk in registered:
        try:
            check(jwk)
        except proofs.ProofError:
            continue
        return key_row
    return None


def _named_key(method: str) -> dict | str | None:
    """The key a verification method names in itself (did:key, or a URL whose fragment is
    a multibase key), None when it must be looked up, or why it cannot be used."""
    fragment = method.split("#", 1)[1] if "#" in method else ""
    try:
        if method.startswith("did:key:"):
            return keyforms.did_key(method)
        if method.startswith(("https://", "http://", "did:web:")):
            return keyforms.multibase_ed25519(fragment) if fragment.startswith("z6Mk") else None
    except keyforms.KeyProblem as exc:
        return f"{method[:120]!r} does not name a usable key ({exc})"
    if method.startswith("did:"):
        return f"{method[:120]!r} uses a DID method the ledger cannot resolve (did:key and did:web are understood)"
    return f"{method[:120]!r} is not a URL or a DID (did:key, did:web) the ledger can resolve"
