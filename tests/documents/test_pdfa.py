"""Signed letters are PDF/A-2b and stay so after the PAdES signature is added.

No PDF/A validator installs here (veraPDF needs Java), so the rules a signed letter could
break are checked one by one with pikepdf: the XMP identification, the OutputIntent, embedded
fonts, and annotations that carry an appearance and print; and the signature is verified by
pyHanko and, independently, by poppler's `pdfsig` when it is installed.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from documents.render import get_renderer
from documents.samples import circular_23_6666_context
from documents.verify import verify_pdf

PRINT, HIDDEN, INVISIBLE, NO_VIEW = 4, 2, 1, 32


@pytest.fixture(scope="module")
def signed(signed_letter):
    return pikepdf.open(io.BytesIO(signed_letter.data))


def test_xmp_identifies_pdf_a_2b_after_signing(signed):
    with signed.open_metadata(set_pikepdf_as_editor=False) as xmp:
        assert xmp["pdfaid:part"] == "2"
        assert xmp["pdfaid:conformance"] == "B"
        # XMP and the document information dictionary must agree (the signer updates both).
        assert xmp["dc:title"] == str(signed.docinfo["/Title"])


def test_srgb_output_intent_is_present(signed):
    (intent,) = signed.Root.OutputIntents
    assert intent.S == "/GTS_PDFA1"
    profile = intent.DestOutputProfile
    assert int(profile.N) == 3  # RGB
    assert "sRGB" in str(intent.OutputConditionIdentifier)


def _fonts(pdf):
    for page in pdf.pages:
        yield from page.Resources.get("/Font", {}).values()
        for xobject in page.Resources.get("/XObject", {}).values():
            resources = xobject.get("/Resources")
            if resources is not None:
                yield from resources.get("/Font", {}).values()


def test_every_font_is_embedded(signed):
    fonts = list(_fonts(signed))
    assert fonts
    for font in fonts:
        descendants = font.get("/DescendantFonts")
        descriptor = (descendants[0] if descendants else font).FontDescriptor
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_every_annotation_prints_and_has_an_appearance(signed):
    annotations = [a for page in signed.pages for a in page.get("/Annots", [])]
    widgets = [a for a in annotations if a.Subtype == "/Widget"]
    assert len(widgets) == 1 and widgets[0].FT == "/Sig"
    for annotation in annotations:
        flags = int(annotation.get("/F", 0))
        assert flags & PRINT and not flags & (HIDDEN | INVISIBLE | NO_VIEW), annotation
        if annotation.Subtype != "/Link":
            assert "/N" in annotation.AP, annotation


def test_signature_still_covers_the_whole_pdf_a_file(signed_letter, ca_cert):
    result = verify_pdf(signed_letter.data, [ca_cert])
    assert result.ok and result.covers_whole_file, result.reasons
    # The field was created at rendering and filled by the signer: one field, one signature.
    pdf = pikepdf.open(io.BytesIO(signed_letter.data))
    (field,) = pdf.Root.AcroForm.Fields
    assert field.V.SubFilter == "/ETSI.CAdES.detached"


def test_an_independent_verifier_accepts_the_signature(signed_letter, tmp_path):
    if shutil.which("pdfsig") is None:
        pytest.skip("poppler's pdfsig is not installed (apt-get install poppler-utils)")
    path = tmp_path / "letter.pdf"
    path.write_bytes(signed_letter.data)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False)
    assert "Signature Validation: Signature is Valid." in report.stdout, report.stdout
    assert "Total document signed" in report.stdout


def test_drafts_are_pdf_a_too_and_have_no_signature_field():
    pdf = pikepdf.open(io.BytesIO(get_renderer().render_pdf(
        circular_23_6666_context()).pdf))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        assert xmp["pdfaid:part"] == "2"
    assert "/AcroForm" not in pdf.Root
