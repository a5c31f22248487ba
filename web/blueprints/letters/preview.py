"""A draft's print layout in the browser: the letter's own HTML with its print stylesheet
inlined and a sheet of paper drawn on screen, under a CSP that allows no script and no
outside resource (the page shows it in a sandboxed frame)."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_login import login_required

from documents.issue import draft_context
from documents.render import get_renderer, letter_css

from ...database import db
from .common import bp, load_letter

PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
               "frame-ancestors 'self'")

# On screen the print stylesheet's @page box and footnotes do not apply: draw a sheet.
PREVIEW_SCREEN_CSS = """
@media screen {
  html { background: #8a939c; }
  body { position: relative; background: #fff; width: 210mm; min-height: 297mm;
         margin: 6mm auto; padding: 20mm 10mm 20mm 25mm; box-sizing: border-box;
         box-shadow: 0 1px 6px rgba(0,0,0,.35); overflow: hidden; }
  .watermark { position: absolute; top: 110mm; left: 25mm; }
  .last-page-foot { margin-top: 12mm; }
}
"""


@lru_cache(maxsize=1)
def _print_css() -> str:
    return letter_css()


def with_print_css(html: str) -> str:
    """The print template gets its stylesheet from the renderer; a browser needs it inline."""
    if "<style" in html:
        return html
    css = (_print_css() + PREVIEW_SCREEN_CSS).replace("</", "<\\/")
    return html.replace("</head>", f"<style>{css}</style>\n</head>", 1)


@bp.route("/<int:letter_id>/preview")
@login_required
def preview(letter_id: int):
    letter = load_letter(letter_id)
    html = with_print_css(get_renderer().render_html(draft_context(db(), letter)))
    response = current_app.response_class(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    # The letter page shows the preview in a sandboxed frame of the same origin.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response
