"""A state's whole data for its office (issue 18, item 3): educators, licenses and their
cycles, entries and standings, streamed as CSV or JSON Lines from a page and the CLI."""
