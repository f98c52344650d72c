"""Audits for the state office: a reproducible random sample of renewed cycles, and its cases."""
