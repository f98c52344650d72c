"""PDF rendering with WeasyPrint, from the Jinja template `templates/transcript.html`.

The stylesheet (with its @font-face fonts, which ship in `ledger/static/fonts`) is parsed
once per thread and reused with its FontConfiguration: parsing it is a good part of a
render. The URL fetcher serves the project's own static files and `data:` URIs only:
a transcript never reaches the network or the rest of the file system.
"""

from __future__ import annotations

import threading
from pathlib import Path

import segno
from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STATIC = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = STATIC / "transcript.css"


class AssetFetcher(URLFetcher):
    """Only `data:` URIs and files under ledger/static; anything else is refused."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            from urllib.request import url2pathname

            path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
            if not path.is_relative_to(STATIC) or not path.is_file():
                self.refused.append(url)
                raise ValueError(f"refused to fetch {url}: not one of the project's assets")
        elif not url.startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url}: transcripts fetch nothing from the network")
        return super().fetch(url, headers)


class Renderer:
    """One per thread: a FontConfiguration is not shared across threads."""

    def __init__(self):
        self.fetcher = AssetFetcher()
        self.fonts = FontConfiguration()
        self.base_url = STATIC.as_uri() + "/"
        self.css = CSS(filename=str(STYLESHEET), url_fetcher=self.fetcher, font_config=self.fonts)

    def pdf(self, html: str) -> bytes:
        document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
        return document.write_pdf(stylesheets=[self.css], font_config=self.fonts)


_local = threading.local()


def renderer() -> Renderer:
    r = getattr(_local, "renderer", None)
    if r is None:
        r = _local.renderer = Renderer()
    return r


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1d3557")


def html(document) -> str:
    return render_template("transcript.html", d=document)


def pdf(document) -> bytes:
    return renderer().pdf(html(document))
