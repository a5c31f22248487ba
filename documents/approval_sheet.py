"""ApprovalSheet -> HTML -> PDF: the лист согласования of a decision letter, its own document.

Rendered like the letters: the same fonts and font configuration (the letter renderer's, so a
process builds one), the fetcher that refuses everything but inline data: URIs, autoescaped
user text with the office typography (`nb`). Times are printed in the organisation's zone.
"""

from __future__ import annotations

import threading
from pathlib import Path

import jinja2
import weasyprint

from documents.fetcher import DataOnlyURLFetcher
from documents.render import PRINT_TEMPLATES, _nb, get_renderer, print_stylesheets
from workflow import timefmt
from workflow.route_views import ApprovalSheet

TEMPLATE_DIR = PRINT_TEMPLATES / "approval_sheet"


class ApprovalSheetRenderer:
    def __init__(self, template_dir: Path = TEMPLATE_DIR) -> None:
        self._fetcher = DataOnlyURLFetcher()
        self._font_config = get_renderer().font_config
        self._stylesheets = print_stylesheets(template_dir / "approval_sheet.css",
                                              self._font_config, self._fetcher)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["nb"] = _nb
        env.filters["ddmmyyyy"] = timefmt.ddmmyyyy
        env.filters["stamp"] = timefmt.stamp
        self._template = env.get_template("approval_sheet.html")

    def render_html(self, sheet: ApprovalSheet) -> str:
        return self._template.render(sheet=sheet)

    def render_pdf(self, sheet: ApprovalSheet) -> bytes:
        html = weasyprint.HTML(string=self.render_html(sheet), url_fetcher=self._fetcher)
        # The font configuration is shared with the letters: one render at a time.
        with get_renderer().lock:
            return html.write_pdf(font_config=self._font_config, stylesheets=self._stylesheets)


_renderer: ApprovalSheetRenderer | None = None
_renderer_lock = threading.Lock()


def render_approval_sheet(sheet: ApprovalSheet) -> bytes:
    """The sheet as PDF bytes (the process-wide renderer is built on first use)."""
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = ApprovalSheetRenderer()
    return _renderer.render_pdf(sheet)
