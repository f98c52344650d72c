"""Licenses and their cycles: add, renew, extend, reinstate (CONTRACT.md section 6)."""
