"""Tamper evidence: the hash chain over the history (chain.py), written at every commit,
and its walk (verify.py), `flask ledger verify-ledger`."""
