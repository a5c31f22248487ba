"""The return letter's size bound and the cost of PDF/A, in figures.

(a) a return letter drafted for 150 open remarks of 5,000 characters: body length, pages and
    render time with the bound (20 remarks listed, each quoted up to 600 characters) and, for
    comparison, with the bound lifted (what the letter was before);
(b) a one-page letter rendered as plain PDF and as PDF/A-2b (XMP, OutputIntent, signature
    field), steady state.

Run: PYTHONPATH=. /work/main/.venv/bin/python benchmarks/letters_bound_bench.py
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents import render as render_module  # noqa: E402
from documents.render import get_renderer  # noqa: E402
from documents.samples import circular_23_6666_context  # noqa: E402
from workflow import letter_texts, operations, programme_drafting, review  # noqa: E402
from workflow.db import make_engine, make_session_factory  # noqa: E402
from workflow.models import (  # noqa: E402
    Base,
    Campaign,
    Municipality,
    OrganisationProfile,
    Requirement,
)
from workflow.organisation_profile import required_profile  # noqa: E402
from workflow.states import RemarkVisibility, Role  # noqa: E402
from workflow.users import create_user  # noqa: E402

REMARKS, REMARK_CHARS = 150, 5000


@contextmanager
def _unbounded():
    with mock.patch.object(letter_texts, "REMARKS_IN_FULL", 10**6), \
            mock.patch.object(letter_texts, "REMARK_TEXT_LIMIT", 10**6):
        yield


def _return_letter_body() -> tuple[list[str], str]:
    """Drafts the return letter through the real operations on an in-memory database and
    returns its paragraphs, once bounded and once unbounded."""
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = make_session_factory(engine)()
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    session.add(OrganisationProfile(
        name="Министерство образования Приморского края", letterhead="МИНИСТЕРСТВО",
        address="ул. Светланская, 22", phone="1", email="a@b.ru", timezone="Asia/Vladivostok"))
    muni = Municipality(code="khasan", name="Хасанский муниципальный округ")
    session.add(muni)
    session.flush()
    editor = create_user(session, login="editor", full_name="Иванова Ирина Петровна",
                         role=Role.MUNICIPAL_EDITOR, password="x" * 12, now=now,
                         municipality_code="khasan", enforce_policy=False)
    reviewer = create_user(session, login="reviewer", full_name="Петров Пётр Петрович",
                           role=Role.REVIEWER, password="x" * 12, now=now, enforce_policy=False)
    campaign = Campaign(title="Программы", deadline=date(2026, 6, 1), created_at=now,
                        requirements=[Requirement(position=i, text=f"Требование {i}")
                                      for i in (1, 2, 3)])
    session.add(campaign)
    session.flush()
    p = programme_drafting.create_programme(
        session, campaign, editor, programme_drafting.DraftFields(title="Программа", period_from=2026,
                                                                  period_to=2028),
        now=now, sections={r.id: "Текст" for r in campaign.requirements})
    operations.submit_programme(session, p, editor, now=now)
    operations.start_review(session, p, reviewer, now=now)
    text = ("Раздел не содержит показателей результативности и сроков выполнения " * 80)
    for i in range(REMARKS):
        now += timedelta(minutes=1)
        review.add_remark(session, p, reviewer, requirement_id=campaign.requirements[i % 3].id,
                          body=f"{i + 1}. {text}"[:REMARK_CHARS],
                          visibility=RemarkVisibility.EXTERNAL, now=now)
    bounded = letter_texts.return_body(session, p, "Не отвечает требованиям",
                                       required_profile(session))
    with _unbounded():
        unbounded = letter_texts.return_body(session, p, "Не отвечает требованиям",
                                             required_profile(session))
    session.close()
    engine.dispose()
    return bounded, unbounded


def _render(paragraphs) -> tuple[float, int]:
    ctx = replace(circular_23_6666_context(), body_paragraphs=tuple(paragraphs))
    start = time.perf_counter()
    pdf = get_renderer().render_pdf(ctx).pdf
    elapsed = time.perf_counter() - start
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = len(doc.pages)
    return elapsed, pages


def _ms(fn, n=15) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    bounded, unbounded = _return_letter_body()
    get_renderer().render_pdf(circular_23_6666_context())  # warm up fonts
    for label, body in (("bounded", bounded), ("unbounded (before)", unbounded)):
        seconds, pages = _render(body)
        chars = len("\n\n".join(body))
        print(f"return letter, {REMARKS} remarks x {REMARK_CHARS} chars, {label}: "
              f"{chars:,} characters, {pages} pages, render {seconds:.2f} s")
    ctx = circular_23_6666_context()
    renderer = get_renderer()
    pdfa = _ms(lambda: renderer.render_pdf(ctx))
    with mock.patch.object(render_module, "PDF_VARIANT", None):
        plain = _ms(lambda: renderer.render_pdf(ctx))
    print(f"two-page reference letter: plain PDF {plain:.0f} ms, PDF/A-2b {pdfa:.0f} ms (median)")


if __name__ == "__main__":
    main()
