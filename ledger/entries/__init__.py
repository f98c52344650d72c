"""The ledger itself: recording and voiding entries (append-only), from the API and the educator page."""
