"""LetterContext -> HTML -> PDF, with the position of the signature mark for the signer."""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pydyf
import weasyprint
from markupsafe import Markup, escape
from weasyprint.text.fonts import FontConfiguration

from documents.context import LetterContext
from documents.fetcher import DataOnlyURLFetcher
from documents.qr import qr_data_uri
from documents.typography import keep_together
from workflow import timefmt

# The print templates ship inside this package (package data), so an installed copy renders
# letters without the source tree; `templates/` at the root holds only the screens.
PRINT_TEMPLATES = Path(__file__).resolve().parent / "print_templates"
TEMPLATE_DIR = PRINT_TEMPLATES / "letters"
# A4, the margins, page numbers and fonts every printed document shares (before its own CSS).
PAGE_CSS = PRINT_TEMPLATES / "common" / "page.css"
MARK_ANCHOR = "signature-mark"
# The signature field over the mark, created at rendering and filled by the signer.
SIGNATURE_FIELD = "Signature1"
# Letters are archived: PDF/A-2b (fonts embedded, XMP metadata, an sRGB OutputIntent). Its
# part 2 allows the incremental update the PAdES signature adds.
PDF_VARIANT = "pdf/a-2b"
# WeasyPrint lays out in CSS px (1/96 in); PDF user space is in points (1/72 in).
PX_TO_PT = 0.75

# Parsed images (the emblem above all) are kept between renders; QR codes differ per letter,
# so the cache is emptied, between renders only, once it holds this many entries.
_IMAGE_CACHE_LIMIT = 64

# (page_index, x1, y1, x2, y2) in PDF points, origin bottom-left, as pyHanko's SigFieldSpec wants.
SignatureBox = tuple[int, float, float, float, float]


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    signature_box: SignatureBox | None


_URL = re.compile(r"https?://[^\s<>«»]+[^\s<>«».,;:!?)]")


def _nb(text: str) -> Markup:
    """Office typography for a user-supplied string, escaped; a web address is kept on one
    line (justified text broke "http://" from the rest, and the address could not be read)."""
    escaped = str(escape(keep_together(text)))
    return Markup(_URL.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', escaped))


def print_stylesheets(own_css: Path, font_config: FontConfiguration,
                      url_fetcher) -> list[weasyprint.CSS]:
    """The shared page (`PAGE_CSS`), then the document's own stylesheet (its sizes, its parts)."""
    return [weasyprint.CSS(filename=str(path), font_config=font_config, url_fetcher=url_fetcher)
            for path in (PAGE_CSS, own_css)]


def letter_css(template_dir: Path = TEMPLATE_DIR) -> str:
    """The letter's stylesheets as one text, for a page that inlines them (the preview)."""
    return "\n".join(path.read_text(encoding="utf-8")
                     for path in (PAGE_CSS, template_dir / "letter.css"))


def _collapse_tags(markup: str) -> Markup:
    # Drops the indentation between tags of an already-escaped fragment (see letter.html).
    return Markup(re.sub(r">\s+<", "><", str(markup)).strip())


def _svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


class LetterRenderer:
    """Renders letters with one font configuration and one parsed stylesheet.

    Building a ``FontConfiguration`` and parsing the stylesheet cost more than laying out a
    one-page letter, so a process creates one renderer (see :func:`get_renderer`) and reuses it.
    WeasyPrint does not promise that a shared ``FontConfiguration`` is thread-safe, hence the
    lock: threads serialise on rendering instead of corrupting each other's font state.
    """

    def __init__(self, template_dir: Path = TEMPLATE_DIR) -> None:
        self._fetcher = DataOnlyURLFetcher()
        self._font_config = FontConfiguration()
        self._stylesheets = print_stylesheets(template_dir / "letter.css", self._font_config,
                                              self._fetcher)
        self._default_emblem = (template_dir / "emblem.svg").read_text(encoding="utf-8")
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(template_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["nb"] = _nb
        # Dates and times through the one helper (workflow.timefmt), in the letter's zone.
        self._env.filters["ddmmyyyy"] = timefmt.ddmmyyyy
        self._env.filters["stamp"] = timefmt.stamp
        self._env.filters["collapse_tags"] = _collapse_tags
        self._template = self._env.get_template("letter.html")
        self._image_cache: dict = {}
        self._lock = threading.Lock()

    @property
    def font_config(self) -> FontConfiguration:
        """Shared with the other documents rendered in this process (the approval sheet)."""
        return self._font_config

    @property
    def lock(self) -> threading.Lock:
        """Held while anything renders with :attr:`font_config`."""
        return self._lock

    def render_html(self, ctx: LetterContext) -> str:
        emblem = ctx.organisation.emblem_svg or self._default_emblem
        return self._template.render(
            ctx=ctx,
            org=ctx.organisation,
            mark=ctx.signature_mark,
            mark_anchor=MARK_ANCHOR,
            emblem_uri=_svg_data_uri(emblem),
            # A draft is not registered yet: its verification page would not exist.
            qr_uri=qr_data_uri(ctx.verification_url) if ctx.verification_url and not ctx.draft else None,
        )

    def render_pdf(self, ctx: LetterContext) -> RenderedPdf:
        html = weasyprint.HTML(string=self.render_html(ctx), url_fetcher=self._fetcher)
        with self._lock:
            # Never cleared mid-render: WeasyPrint reads image data back from it while writing.
            if len(self._image_cache) > _IMAGE_CACHE_LIMIT:
                self._image_cache.clear()
            document = html.render(
                font_config=self._font_config,
                stylesheets=self._stylesheets,
                cache=self._image_cache,
            )
            box = _mark_box(document.pages)
            pdf = document.write_pdf(
                pdf_variant=PDF_VARIANT,
                finisher=(lambda _doc, out: _add_signature_field(out, box)) if box else None,
            )
        return RenderedPdf(pdf=pdf, signature_box=box)


def _mark_box(pages) -> SignatureBox | None:
    for index, page in enumerate(pages):
        anchor = page.anchors.get(MARK_ANCHOR)
        if anchor is None:
            continue
        # Anchors are (x1, y1, x2, y2) of the border box, y growing downwards, in CSS px.
        x1, y1, x2, y2 = anchor
        height = page.height
        return (
            index,
            round(x1 * PX_TO_PT, 2),
            round((height - y2) * PX_TO_PT, 2),
            round(x2 * PX_TO_PT, 2),
            round((height - y1) * PX_TO_PT, 2),
        )
    return None


def _add_signature_field(pdf: pydyf.PDF, box: SignatureBox) -> None:
    """An empty signature field over the mark, with an empty appearance of its own.

    PDF/A requires every visible annotation to carry an appearance stream and the Print flag.
    The signer only fills this field (pyHanko keeps an existing appearance when it draws no
    stamp), so the HTML mark below shows through and the signed file stays PDF/A.
    """
    page_index, x1, y1, x2, y2 = box
    width, height = round(x2 - x1, 2), round(y2 - y1, 2)
    appearance = pydyf.Stream([], extra={
        "Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array([0, 0, width, height]),
        "Resources": pydyf.Dictionary({}),
    })
    pdf.add_object(appearance)
    page_number = pdf.pages["Kids"][page_index * 3]
    page = pdf.objects[page_number]
    field = pydyf.Dictionary({
        "Type": "/Annot", "Subtype": "/Widget", "FT": "/Sig",
        "T": pydyf.String(SIGNATURE_FIELD),
        "Rect": pydyf.Array([x1, y1, x2, y2]),
        "F": 4 | 128,  # Print, Locked
        "P": page.reference,
        "AP": pydyf.Dictionary({"N": appearance.reference}),
    })
    pdf.add_object(field)
    if "Annots" in page:
        page["Annots"].append(field.reference)
    else:
        page["Annots"] = pydyf.Array([field.reference])
    pdf.catalog["AcroForm"] = pydyf.Dictionary({"Fields": pydyf.Array([field.reference])})


_default_renderer: LetterRenderer | None = None
_default_lock = threading.Lock()


def get_renderer() -> LetterRenderer:
    """The process-wide renderer, built on first use (importing this module stays cheap)."""
    global _default_renderer
    if _default_renderer is None:
        with _default_lock:
            if _default_renderer is None:
                _default_renderer = LetterRenderer()
    return _default_renderer
