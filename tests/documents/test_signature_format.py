"""The signature's format is pinned: PAdES baseline (`/SubFilter /ETSI.CAdES.detached`),
covering the whole file, and valid for an independent verifier (poppler's pdfsig) too."""

from __future__ import annotations

import io

from pypdf import PdfReader

from documents.signing import Pkcs12Signer
from tests.documents.conftest import OWNER
from tests.pdfsig import assert_pades_valid


def _signature_dictionary(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                return widget["/V"].get_object()
    raise AssertionError("no signature field")


def test_the_signature_is_pades_cades_detached(signed_letter):
    signature = _signature_dictionary(signed_letter.data)
    assert signature["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature["/Filter"] == "/Adobe.PPKLite"
    # The byte range spans the file from its first byte to its last, except the signature.
    start, first_len, second_start, second_len = (int(v) for v in signature["/ByteRange"])
    assert start == 0 and second_start + second_len == len(signed_letter.data)


def test_poppler_pdfsig_accepts_the_signature(signed_letter):
    assert_pades_valid(signed_letter.data, owner=OWNER)


def test_a_signer_built_from_pkcs12_bytes_signs_the_same_way(pki, signed_letter):
    from documents.pipeline import render_and_sign
    from tests.documents.conftest import PASSPHRASE, SIGNED_AT, reply_letter_context

    signer = Pkcs12Signer.from_bytes(pki.pkcs12.read_bytes(), PASSPHRASE)
    pdf = render_and_sign(reply_letter_context(), signer, SIGNED_AT).pdf
    assert _signature_dictionary(pdf)["/SubFilter"] == "/ETSI.CAdES.detached"
    assert_pades_valid(pdf, owner=OWNER)
