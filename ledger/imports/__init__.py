"""Imports from provider platforms (CSV, Open Badges) into the ledger: sources, rows, the run,
the API and the HR page."""
