"""The renderer fetches nothing beyond the project's own assets."""

import pytest
from weasyprint import HTML

from ledger.transcripts import render


@pytest.mark.parametrize("url", [
    "http://example.com/x.png", "https://example.com/x.css", "ftp://example.com/x",
    "file:///etc/hostname", f"file://{render.STATIC}/../../pyproject.toml",
])
def test_the_fetcher_refuses_the_network_and_the_file_system(url):
    fetcher = render.AssetFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url] or url.startswith("ftp")


def test_a_page_asking_for_outside_resources_renders_without_them():
    fetcher = render.AssetFetcher()
    html = ('<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">'
            '<link rel="stylesheet" href="https://example.com/s.css"><p>text</p>')
    pdf = HTML(string=html, base_url=render.STATIC.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert sorted(fetcher.refused) == sorted(["http://127.0.0.1:9/x.png", "file:///etc/hostname",
                                              "https://example.com/s.css"])


def test_the_projects_own_fonts_and_data_uris_are_served():
    fetcher = render.AssetFetcher()
    font = fetcher.fetch((render.STATIC / "fonts" / "SourceSans3_400Regular.ttf").as_uri())
    assert len(font.read()) > 10_000
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.refused == []


def test_serials_are_random_and_unambiguous():
    from ledger.transcripts.service import CROCKFORD, new_serial

    serials = {new_serial("TN", 2026) for _ in range(2000)}
    assert len(serials) == 2000
    for s in serials:
        state, year, *groups = s.split("-")
        assert (state, year) == ("TN", "2026") and [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(CROCKFORD)
