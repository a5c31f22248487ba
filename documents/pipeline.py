"""Render a letter with its signature mark and sign it over that mark, in one pure step."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from documents.context import LetterContext
from documents.render import SIGNATURE_FIELD, LetterRenderer, get_renderer
from documents.signing import Signer, SignerError

__all__ = ["SIGNATURE_FIELD", "SignedPdf", "render_and_sign"]


@dataclass(frozen=True)
class SignedPdf:
    pdf: bytes
    sha256: str


def render_and_sign(
    ctx: LetterContext,
    signer: Signer,
    signed_at: datetime,
    *,
    renderer: LetterRenderer | None = None,
    reason: str = "Подписание исходящего письма",
) -> SignedPdf:
    """``signed_at`` is a parameter (not ``now()``): the same instant is printed in the mark and
    written into the signature, and callers decide the clock. No I/O besides CPU work."""
    renderer = renderer or get_renderer()
    # A signed letter is never a draft: the watermark and placeholders must not survive signing.
    ctx = replace(ctx, signature_mark=signer.mark(signed_at), draft=False)
    rendered = renderer.render_pdf(ctx)
    if rendered.signature_box is None:
        raise SignerError("В шаблоне письма нет места для отметки об электронной подписи")
    pdf = signer.sign(
        rendered.pdf,
        rendered.signature_box,
        field_name=SIGNATURE_FIELD,
        reason=reason,
        signed_at=signed_at,
    )
    return SignedPdf(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest())
