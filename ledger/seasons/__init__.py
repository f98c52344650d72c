"""Renewal seasons started from the state office's pages: the run, its progress, its
failures retried (issue 18, item 4)."""
