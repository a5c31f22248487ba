"""Rendering never reaches outside the letter: no files, no network, no HTML injection."""

from __future__ import annotations

import io
from dataclasses import replace

import pdfplumber
import pytest

from documents.fetcher import DataOnlyURLFetcher
from documents.render import get_renderer
from documents.samples import circular_23_6666_context
from tests.documents.conftest import parse_pdf


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://127.0.0.1/x.png", "https://example.org/a.css", "ftp://h/f"],
)
def test_fetcher_refuses_everything_but_data_uris(url):
    with pytest.raises(ValueError, match="only use inline data: URIs"):
        DataOnlyURLFetcher()(url)


def test_fetcher_serves_data_uris():
    response = DataOnlyURLFetcher()("data:text/plain;base64,0J/RgNC+0LXQutGC")
    assert response.read().decode() == "Проект"


def test_user_text_is_escaped_not_interpreted():
    payload = '<img src="file:///etc/passwd"> <b>жирный</b>'
    ctx = replace(circular_23_6666_context(), body_paragraphs=(payload,))
    html = get_renderer().render_html(ctx)
    assert "&lt;img src=" in html
    assert "<b>жирный" not in html
    # Printed as text (its straight quotes set as «ёлочки», like any quotes in a letter).
    assert '<img src=«file:///etc/passwd»>' in parse_pdf(get_renderer().render_pdf(ctx).pdf).text


def test_html_declares_language_title_and_author():
    html = get_renderer().render_html(circular_23_6666_context())
    assert '<html lang="ru">' in html
    assert "<title>Письмо от 15.07.2022 № 23/6666" in html
    assert '<meta name="author" content="Министерство образования Приморского края">' in html


def test_draft_has_placeholders_watermark_and_no_mark(draft_rendering):
    pdf = parse_pdf(draft_rendering.pdf)
    assert "__________ № ______" in pdf.texts[0]
    with pdfplumber.open(io.BytesIO(draft_rendering.pdf)) as document:
        for page in document.pages:  # the diagonal watermark is on every page
            big = "".join(sorted(c["text"] for c in page.chars if c["size"] > 50))
            assert big == "".join(sorted("ПРОЕКТ"))
    assert "ДОКУМЕНТ ПОДПИСАН" not in pdf.text
    assert draft_rendering.signature_box is None


def test_one_renderer_per_process():
    assert get_renderer() is get_renderer()
