""""Сводная справка": the minister's report of a campaign as a PDF, in the ministry's letterhead
style (the emblem, the organisation in capitals, its requisites; Liberation Serif). Fed plain
values (`ReportContext`), never ORM objects; the charts are SVG strings embedded as data URIs;
the URL fetcher lets nothing but data: URIs through (documents.fetcher)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

import jinja2
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from documents.context import Organisation
from documents.fetcher import DataOnlyURLFetcher
from documents.render import TEMPLATE_DIR, _svg_data_uri

TEMPLATE = "campaign_report.html"


@dataclass(frozen=True)
class ReportRow:
    municipality: str
    title: str
    state_label: str
    days_in_state: int | None
    reviewer: str
    deadline_label: str
    open_remarks: int


@dataclass(frozen=True)
class ReportRequirement:
    position: int
    text: str
    remarks: int
    open_remarks: int
    not_met: int
    partly: int
    met: int


@dataclass(frozen=True, kw_only=True)
class ReportContext:
    organisation: Organisation
    title: str
    circular: str  # "письмо от 15.07.2022 № 23/6666" or ""
    deadline: str  # dd.mm.yyyy
    as_of: str  # "30.11.2026 09:15 (UTC+10)"
    figures: list[tuple[str, str]]  # (caption, value)
    charts: list[str]  # SVG strings
    groups: list[tuple[str, list[ReportRow]]]  # (state label, rows)
    late: list[ReportRow]
    requirements: list[ReportRequirement]
    labels: dict[str, str] = field(default_factory=dict)


class ReportRenderer:
    def __init__(self) -> None:
        self._fetcher = DataOnlyURLFetcher()
        self._fonts = FontConfiguration()
        self._env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                                       undefined=jinja2.StrictUndefined, trim_blocks=True,
                                       lstrip_blocks=True)
        self._template = self._env.get_template(TEMPLATE)
        self._default_emblem = (TEMPLATE_DIR / "emblem.svg").read_text(encoding="utf-8")
        self._lock = threading.Lock()

    def render_html(self, ctx: ReportContext) -> str:
        return self._template.render(
            ctx=ctx, org=ctx.organisation,
            emblem_uri=_svg_data_uri(ctx.organisation.emblem_svg or self._default_emblem),
            chart_uris=[_svg_data_uri(svg) for svg in ctx.charts],
        )

    def render_pdf(self, ctx: ReportContext) -> bytes:
        html = weasyprint.HTML(string=self.render_html(ctx), url_fetcher=self._fetcher)
        with self._lock:
            return html.write_pdf(font_config=self._fonts)


_renderer: ReportRenderer | None = None
_renderer_lock = threading.Lock()


def get_report_renderer() -> ReportRenderer:
    global _renderer
    if _renderer is None:
        with _renderer_lock:
            if _renderer is None:
                _renderer = ReportRenderer()
    return _renderer


def stamp(moment: datetime) -> str:
    from workflow.timefmt import utc_offset

    return f"{moment:%d.%m.%Y %H:%M} ({utc_offset(moment)})"
