"""Shared fixtures: one demo PKI per session, letters rendered and signed once per session.

Rendering and signing are the slow part (~0.1-0.2 s a letter), so each PDF under test is built
once and inspected by many small tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pdfplumber
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from documents.demo_pki import ensure_demo_pki
from documents.pipeline import render_and_sign
from documents.render import get_renderer
from documents.samples import circular_23_6666_context
from documents.signing import Pkcs12Signer

PASSPHRASE = "демо-пароль"
OWNER = "Шкуратская Марина Викторовна"
ORGANISATION = "Министерство образования Приморского края"
SIGNED_AT = datetime(2026, 3, 2, 9, 41, tzinfo=UTC)

A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MM = 72 / 25.4
LEFT_MARGIN, RIGHT_MARGIN, TOP_MARGIN = 25 * MM, 10 * MM, 20 * MM
TEXT_RIGHT = A4_WIDTH - RIGHT_MARGIN
TEXT_CENTRE = (LEFT_MARGIN + TEXT_RIGHT) / 2


@dataclass
class Pdf:
    """A PDF and its words per page, with no-break spaces already treated as spaces."""

    data: bytes
    pages: list[list[dict]]
    texts: list[str]
    sizes: list[tuple[float, float]]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def words(self, text: str, page: int | None = None) -> list[dict]:
        pages = self.pages if page is None else [self.pages[page]]
        return [w for words in pages for w in words if w["text"] == text]


def column_text(data: bytes, page: int, *, left: bool) -> str:
    """Text of one half of a page: the letterhead and addressee columns would interleave."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sheet = pdf.pages[page]
        width, height = float(sheet.width), float(sheet.height)
        box = (0, 0, width / 2, height) if left else (width / 2, 0, width, height)
        return (sheet.crop(box).extract_text() or "").replace("\u00a0", " ")


def parse_pdf(data: bytes) -> Pdf:
    pages, texts, sizes = [], [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = page.extract_words(extra_attrs=["size"])
            for word in words:
                word["text"] = word["text"].replace("\u00a0", " ")
            pages.append(words)
            texts.append((page.extract_text() or "").replace("\u00a0", " "))
            sizes.append((float(page.width), float(page.height)))
    return Pdf(data=data, pages=pages, texts=texts, sizes=sizes)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return ensure_demo_pki(
        tmp_path_factory.mktemp("pki"),
        owner_name=OWNER,
        organisation=ORGANISATION,
        passphrase=PASSPHRASE,
    )


@pytest.fixture(scope="session")
def ca_cert(pki) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pki.ca_certificate.read_bytes())


@pytest.fixture(scope="session")
def signer_cert(pki) -> x509.Certificate:
    _key, cert, _cas = pkcs12.load_key_and_certificates(
        pki.pkcs12.read_bytes(), PASSPHRASE.encode()
    )
    return cert


@pytest.fixture(scope="session")
def signer(pki) -> Pkcs12Signer:
    return Pkcs12Signer(pki.pkcs12, PASSPHRASE)


def reply_letter_context():
    """The circular turned into a reply, so "На № ... от ..." is filled in."""
    return replace(
        circular_23_6666_context(
            verification_url="https://letters.example.ru/v/7Q4K9ZP2",
            verification_code="7Q4K-9ZP2",
        ),
        reply_to_number="01-12/345",
        reply_to_date=date(2022, 7, 1),
    )


def long_letter_context(paragraphs: int = 40):
    base = reply_letter_context()
    body = tuple(
        f"Абзац {i + 1}. " + " ".join(base.body_paragraphs[i % 2].split()[:60])
        for i in range(paragraphs)
    )
    return replace(base, body_paragraphs=body)


@pytest.fixture(scope="session")
def signed_letter(signer) -> Pdf:
    return parse_pdf(render_and_sign(reply_letter_context(), signer, SIGNED_AT).pdf)


@pytest.fixture(scope="session")
def long_letter(signer) -> Pdf:
    return parse_pdf(render_and_sign(long_letter_context(), signer, SIGNED_AT).pdf)


@pytest.fixture(scope="session")
def circular() -> Pdf:
    return parse_pdf(get_renderer().render_pdf(circular_23_6666_context()).pdf)


@pytest.fixture(scope="session")
def draft_rendering():
    ctx = replace(circular_23_6666_context(), date=None, number=None, draft=True)
    return get_renderer().render_pdf(ctx)
