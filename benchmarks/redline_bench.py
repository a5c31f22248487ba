"""The redline before and after: diff time and programme page time.

Before: `difflib.SequenceMatcher(autojunk=False)` over tokens in which every space is a token
of its own, run on every view of `/programmes/<id>?rev=N` (a copy of that code is below).
After: `workflow.redline.compute` (word tokens carrying their whitespace, Myers with a work
budget, line and whole-text fallbacks), run once when the revision is frozen and stored; the
page only renders the stored segments.

Cases: 7 sections x 20,000 characters of Russian-like text with 5 % of the words changed; and
the crafted pair (revision 1 a section of "a " * 1000, revision 2 "b " * 1000).
Page times: in-process Flask test client on a SQLite file (as web_pages_bench.py does), best of
N runs; "before" is today's page plus the old comparison of every section per view, which is
what the old page did. The old crafted page takes about half a minute: it is measured once
(skip it with --quick).

Run: python benchmarks/redline_bench.py [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import sys
import tempfile
import time
from pathlib import Path

from markupsafe import Markup, escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import FakeClock  # noqa: E402
from tests.factories import PASSWORD, build_world  # noqa: E402
from workflow import operations, programme_drafting, review, schema  # noqa: E402
from workflow import redline as new_redline  # noqa: E402
from workflow.db import make_engine, make_session_factory  # noqa: E402
from workflow.models import Requirement  # noqa: E402

SECTIONS = 7
CHARS = 20_000
CHANGED = 0.05
CRAFTED = ("a " * 1000, "b " * 1000)


# ---------------------------------------------------------------- the old code, verbatim

_OLD_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _old_chunk(tag, words):
    text = "".join(words)
    if not text:
        return ""
    if tag == "equal":
        return str(escape(text))
    return f"<{tag}>{escape(text)}</{tag}>"


def old_redline(old: str, new: str) -> Markup:
    a, b = _OLD_TOKEN.findall(old or ""), _OLD_TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_old_chunk("equal", b[j1:j2]))
        elif op == "delete":
            parts.append(_old_chunk("del", a[i1:i2]))
        elif op == "insert":
            parts.append(_old_chunk("ins", b[j1:j2]))
        else:
            parts.append(_old_chunk("del", a[i1:i2]))
            parts.append(_old_chunk("ins", b[j1:j2]))
    return Markup("".join(parts))


def old_changed(old: str, new: str) -> bool:
    return (old or "").strip() != (new or "").strip()


# ---------------------------------------------------------------- texts

_SYLLABLES = re.findall(r"\w+", "ра про ве де ни е об ра зо ва ни я ста ти ка му ни ци паль но "
                                 "го ок ру га пла на ме ро при я ти й обу ча ю щих ся шко л про "
                                 "фес си о наль")


def _word(rnd: random.Random) -> str:
    return "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(1, 4)))


def natural_text(rnd: random.Random, size: int = CHARS) -> str:
    """Sentences of 5-15 words with commas, paragraphs of six sentences, `size` characters."""
    out, length, count = [], 0, 0
    while length < size + 200:
        words = [_word(rnd) for _ in range(rnd.randint(5, 15))]
        if rnd.random() < 0.6:
            words[rnd.randrange(len(words) - 1)] += ","
        sentence = " ".join(words).capitalize() + "."
        count += 1
        out.append(sentence + ("\n" if count % 6 == 0 else " "))
        length += len(sentence) + 1
    return "".join(out)[:size].rstrip()


def edited(rnd: random.Random, text: str, share: float = CHANGED) -> str:
    """`share` of the words replaced by others (commas, stops and line breaks kept)."""
    return re.sub(r"\w+", lambda m: _word(rnd) if rnd.random() < share else m.group(0), text)


# ---------------------------------------------------------------- measurements


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def seed(url: str, pairs: dict[str, list[tuple[str, str]]]) -> tuple[dict, dict]:
    """One programme per case, brought to revision 2 through the operations (so revision 2
    stores its redline as in production); returns programme ids and resubmission times by
    case name."""
    engine = make_engine(url)
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    ids, freeze = {}, {}
    with factory() as s:
        clock = FakeClock()
        w = build_world(s, clock)
        for position in range(4, SECTIONS + 1):
            s.add(Requirement(campaign_id=w.campaign.id, position=position,
                              text=f"Требование номер {position}"))
        s.flush()
        s.expire(w.campaign, ["requirements"])
        requirements = w.campaign.requirements
        for name, sections in pairs.items():
            p = programme_drafting.create_programme(
                s, w.campaign, w.editor,
                programme_drafting.DraftFields(title=f"Программа: {name}", period_from=2026, period_to=2028),
                now=clock.tick(), sections={r.id: old for r, (old, _new) in zip(requirements, sections, strict=True)})
            operations.submit_programme(s, p, w.editor, now=clock.tick())
            operations.start_review(s, p, w.reviewer, now=clock.tick())
            remark = review.add_remark(s, p, w.reviewer, requirement_id=requirements[0].id,
                                       body="Уточните", visibility="external", now=clock.tick())
            operations.return_for_revision(s, p, w.reviewer, now=clock.tick(), reason="Доработать")
            programme_drafting.update_draft(s, p, w.editor, now=clock.tick(),
                                            sections={r.id: new for r, (_old, new) in zip(requirements, sections, strict=True)})
            review.answer_remark(s, p, remark, w.editor, body="Исправлено", now=clock.tick())
            s.commit()
            start = time.perf_counter()
            operations.resubmit_programme(s, p, w.editor, now=clock.tick())
            s.commit()
            freeze[name] = time.perf_counter() - start
            ids[name] = p.id
    engine.dispose()
    return ids, freeze


def page_client(url: str, instance: str):
    from web import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "APP_INSTANCE_PATH": instance})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"login": "reviewer", "password": PASSWORD, "csrf_token": token})
    return client


class OldPage:
    """Today's page plus the old per-view comparison of every section (what the old
    `programme_page` did: load both revisions, diff each section)."""

    def __init__(self, url: str):
        import web.viewmodels as viewmodels

        self.viewmodels = viewmodels
        self.real = viewmodels.programme_page
        self.factory = make_session_factory(make_engine(url))

    def __enter__(self):
        real = self.real
        from sqlalchemy import select

        from workflow.models import Revision, RevisionSection

        def programme_page(session, programme, actor, rev):
            page = real(session, programme, actor, rev)
            if page.shown and page.shown >= 2:
                texts: dict[int, dict[int, str]] = {page.shown: {}, page.shown - 1: {}}
                for number, rid, body in session.execute(
                    select(Revision.number, RevisionSection.requirement_id, RevisionSection.text)
                    .join(RevisionSection, RevisionSection.revision_id == Revision.id)
                    .where(Revision.programme_id == programme.id,
                           Revision.number.in_(list(texts)))
                ):
                    texts[number][rid] = body
                for section in page.sections:
                    rid = section.requirement.id
                    old, new = texts[page.shown - 1].get(rid), texts[page.shown].get(rid, "")
                    section.redline = (old_redline(old, new)
                                       if old is not None and old_changed(old, new) else None)
            return page

        self.viewmodels.programme_page = programme_page
        return self

    def __exit__(self, *exc):
        self.viewmodels.programme_page = self.real


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="skip the old crafted page (about half a minute)")
    args = parser.parse_args()
    rnd = random.Random(2026)
    natural = []
    for _ in range(SECTIONS):
        text = natural_text(rnd)
        natural.append((text, edited(rnd, text)[:CHARS].rstrip()))
    words = sum(len(re.findall(r"\w+", a)) for a, _ in natural)
    changed = sum(x != y for a, b in natural
                  for x, y in zip(re.findall(r"\w+", a), re.findall(r"\w+", b), strict=False))
    print(f"natural text: {SECTIONS} sections x {len(natural[0][0]):,} characters, "
          f"{words:,} words, {changed / words:.1%} of the words changed")
    print(f"crafted pair: {CRAFTED[0][:6]!r}... x 1000 against {CRAFTED[1][:6]!r}... x 1000")

    print("\ndiff time (the comparison alone; best of "
          f"{args.runs} for the new code and for the old natural case, one run for the old crafted):")
    old_natural = best_of(max(1, args.runs // 2), lambda: [old_redline(a, b) for a, b in natural])
    new_natural = best_of(args.runs, lambda: [new_redline.compute(a, b) for a, b in natural])
    methods = sorted({new_redline.compute(a, b).method for a, b in natural})
    print(f"  7 x 20k natural, before (SequenceMatcher) {old_natural * 1000:10.1f} ms")
    print(f"  7 x 20k natural, after (workflow.redline) {new_natural * 1000:10.1f} ms   "
          f"method: {', '.join(methods)}")
    old_crafted = best_of(1, lambda: old_redline(*CRAFTED))
    new_crafted = best_of(args.runs, lambda: new_redline.compute(*CRAFTED))
    print(f"  crafted pair, before                      {old_crafted * 1000:10.1f} ms")
    print(f"  crafted pair, after                       {new_crafted * 1000:10.1f} ms   "
          f"method: {new_redline.compute(*CRAFTED).method}")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        crafted_sections = [CRAFTED] + [(f"Раздел {i}", f"Раздел {i}") for i in range(2, SECTIONS + 1)]
        ids, freeze = seed(url, {"natural": natural, "crafted": crafted_sections})
        print("\ncost moved to the freeze (resubmission, all sections compared and stored, once):")
        for name, seconds in freeze.items():
            print(f"  resubmit, {name:<8}                        {seconds * 1000:10.1f} ms")

        client = page_client(url, tmp)
        print(f"\nprogramme page /programmes/<id>?rev=2, in-process test client, best of {args.runs}:")
        for name in ("natural", "crafted"):
            path = f"/programmes/{ids[name]}?rev=2"
            response = client.get(path)
            assert response.status_code == 200 and "<ins>" in response.get_data(as_text=True)
            after = best_of(args.runs, lambda path=path: client.get(path))
            if name == "crafted" and args.quick:
                print(f"  {name}, before                          (skipped: --quick)")
            else:
                with OldPage(url):
                    before = best_of(1 if name == "crafted" else max(1, args.runs // 2),
                                     lambda path=path: client.get(path))
                print(f"  {name}, before                          {before * 1000:10.1f} ms")
            print(f"  {name}, after                           {after * 1000:10.1f} ms")


if __name__ == "__main__":
    main()
