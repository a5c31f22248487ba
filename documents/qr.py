"""QR code requisite (new in ГОСТ Р 7.0.97-2025): a link to the letter's verification page."""

from __future__ import annotations

import segno


def qr_data_uri(url: str) -> str:
    """SVG QR code as a data URI, so the PDF renderer never has to fetch anything.

    Level M survives a coffee stain or a poor photocopy, which is how letters get scanned.
    No quiet zone is drawn: the code sits in the white page margin, and the layout keeps
    space around it.
    """
    code = segno.make(url, error="m", micro=False)
    return code.svg_data_uri(border=0, dark="#000")
