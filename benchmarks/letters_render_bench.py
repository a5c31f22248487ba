"""How much reusing fonts and the stylesheet buys: ms per letter, steady state.

(a) what a naive caller does: ``weasyprint.HTML(string=html).write_pdf()`` with a fresh default
    configuration (new FontConfiguration, CSS re-parsed) for every letter;
(b) our ``render_and_sign``: one LetterRenderer per process, plus the PAdES signature.

Run: /work/venv/bin/python benchmarks/letters_render_bench.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import weasyprint

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.demo_pki import ensure_demo_pki  # noqa: E402
from documents.pipeline import render_and_sign  # noqa: E402
from documents.render import get_renderer, letter_css  # noqa: E402
from documents.samples import circular_23_6666_context  # noqa: E402
from documents.signing import Pkcs12Signer  # noqa: E402

WARM_UP = 5


def _ms_per_call(fn, n: int) -> tuple[float, float]:
    for _ in range(WARM_UP):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.mean(times)


def main(n: int = 50) -> None:
    ctx = circular_23_6666_context(
        verification_url="https://letters.example.ru/v/7Q4K9ZP2", verification_code="7Q4K-9ZP2"
    )
    with tempfile.TemporaryDirectory() as tmp:
        pki = ensure_demo_pki(
            Path(tmp), owner_name="Шкуратская Марина Викторовна",
            organisation="Министерство образования Приморского края", passphrase="bench",
        )
        signer = Pkcs12Signer(pki.pkcs12, "bench")
        signed_at = datetime.now(UTC)
        # The same HTML for both, so the only difference is configuration reuse (+ signing).
        html = get_renderer().render_html(replace(ctx, signature_mark=signer.mark(signed_at)))
        css = letter_css()
        bare_html = html.replace("</head>", f"<style>{css}</style></head>")

        def bare():
            weasyprint.HTML(string=bare_html).write_pdf()

        def ours():
            render_and_sign(ctx, signer, signed_at)

        marked = replace(ctx, signature_mark=signer.mark(signed_at))

        def render_only():
            get_renderer().render_pdf(marked)

        bare_median, bare_mean = _ms_per_call(bare, n)
        ours_median, ours_mean = _ms_per_call(ours, n)
        render_median, render_mean = _ms_per_call(render_only, n)

    print(f"letters: {n} after {WARM_UP} warm-up, one 2-page circular 23/6666")
    print(f"(a) bare weasyprint write_pdf, fresh config: median {bare_median:6.1f} ms"
          f"  mean {bare_mean:6.1f} ms")
    print(f"(b) render_and_sign, reused fonts/CSS:      median {ours_median:6.1f} ms"
          f"  mean {ours_mean:6.1f} ms")
    print(f"    of which rendering alone (reused):       median {render_median:6.1f} ms"
          f"  mean {render_mean:6.1f} ms")
    print(f"ratio (b)/(a): {ours_median / bare_median:.2f}"
          f"   rendering-only/(a): {render_median / bare_median:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
