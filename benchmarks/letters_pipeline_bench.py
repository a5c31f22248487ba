"""The whole letter pipeline against a bare WeasyPrint render, ms per letter, steady state.

(a) bare: `weasyprint.HTML(string=html).write_pdf()` of the same letter's HTML, default config;
(b) pipeline: open the signatory's own key with the PIN, register (journal number, date, final
    data, signing session; one committed transaction), open the session with the server key,
    render with the reused fonts and stylesheet, sign (PAdES), store the bytes and SHA-256 and
    drop the session (a second transaction) -- what happens when a signatory presses "Подписать".

Run: python benchmarks/letters_pipeline_bench.py [--n 40] [--url DATABASE_URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import weasyprint
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The audit chains are keyed (workflow/audit.py); a benchmark brings its own key.
os.environ.setdefault("AUDIT_KEY", "benchmark-audit-key")

from benchmarks.drafted_letters import AppLike, draft_letters  # noqa: E402
from documents.context import context_from_data  # noqa: E402
from documents.demo_pki import ensure_demo_pki  # noqa: E402
from documents.issue import render_and_store  # noqa: E402
from documents.render import get_renderer, letter_css  # noqa: E402
from documents.signing import Pkcs12Signer  # noqa: E402
from tests.factories import SIGNING_PIN, TEST_SEALER  # noqa: E402
from workflow import letter_registration, signing_keys  # noqa: E402
from workflow.demo import circular  # noqa: E402
from workflow.letter_data import LetterData  # noqa: E402
from workflow.models import Letter, User  # noqa: E402

WARM_UP = 5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    total = args.n + WARM_UP
    with tempfile.TemporaryDirectory() as tmp:
        drafted = draft_letters(args.url or f"sqlite:///{tmp}/bench.db", [circular.HEADING] * total,
                                "\n\n".join(circular.BODY_PARAGRAPHS))
        engine, factory, clock = drafted.engine, drafted.factory, drafted.clock
        ids, signatory_id = drafted.ids, drafted.signatory_id
        pki = ensure_demo_pki(Path(tmp) / "pki", owner_name="Шкуратская Мария Викторовна",
                              organisation="Министерство образования Приморского края",
                              passphrase="bench")
        signer = Pkcs12Signer(pki.pkcs12, "bench")
        app = AppLike(factory, clock)

        pipeline_ms, unlock_ms = [], []
        for i, letter_id in enumerate(ids):
            start = time.perf_counter()
            with factory() as session:
                letter = session.get(Letter, letter_id)
                letter_registration.sign_letter(session, letter, session.get(User, signatory_id), now=clock.tick(),
                                                pin=SIGNING_PIN, sealer=TEST_SEALER)
                session.commit()
            assert render_and_store(app, letter_id)
            if i >= WARM_UP:
                pipeline_ms.append((time.perf_counter() - start) * 1000)
            with factory() as session:
                t = time.perf_counter()
                signing_keys.unlock(session, session.get(User, signatory_id), SIGNING_PIN,
                                    now=clock())
                unlock_ms.append((time.perf_counter() - t) * 1000)
                session.rollback()

        with factory() as session:
            data = LetterData.from_json(
                session.scalar(select(Letter.final_data).where(Letter.id == ids[-1])))
        from dataclasses import replace
        from datetime import UTC, datetime
        ctx = replace(context_from_data(data), signature_mark=signer.mark(datetime.now(UTC)))
        html = get_renderer().render_html(ctx)
        css = letter_css()
        bare_html = html.replace("</head>", f"<style>{css}</style></head>")
        bare_ms = []
        for i in range(total):
            start = time.perf_counter()
            weasyprint.HTML(string=bare_html).write_pdf()
            if i >= WARM_UP:
                bare_ms.append((time.perf_counter() - start) * 1000)
        with factory() as session:
            numbers = sorted(session.scalars(select(Letter.seq).where(Letter.seq.is_not(None))))
        engine.dispose()

    assert numbers == list(range(numbers[0], numbers[0] + total)), "journal has gaps"
    b, p = statistics.median(bare_ms), statistics.median(pipeline_ms)
    print(f"letters: {args.n} measured after {WARM_UP} warm-up; database {engine.dialect.name}")
    print(f"(a) bare WeasyPrint render of the same letter: median {b:7.1f} ms  mean {statistics.mean(bare_ms):7.1f} ms")
    print(f"(b) number + render + sign + store pipeline:   median {p:7.1f} ms  mean {statistics.mean(pipeline_ms):7.1f} ms")
    print(f"ratio (b)/(a), medians: {p / b:.2f}  (target <= 1.6); journal numbers gapless: {numbers[0]}..{numbers[-1]}")
    print(f"opening the signatory's key with the PIN (part of (b)): median {statistics.median(unlock_ms):.1f} ms")


if __name__ == "__main__":
    main()
