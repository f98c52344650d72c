"""Checking what comes in: the issuer-key registry, proofs, hosted badges, revocation."""
