"""The redline of a section against the previous revision, computed once and stored.

A redline is a list of segments `[op, text]` with op "eq", "del" or "ins", in reading order;
joining the "eq" and "ins" texts gives the new text, joining "eq" and "del" the old one (up to
runs of spaces, which are not compared). Text is
stored raw: escaping belongs to whoever renders it (the screen escapes every segment).

The cost is bounded whatever the input. The comparison used to run `difflib.SequenceMatcher`
on tokens in which every space was a token of its own, on every page view: quadratic and worse
(a section of "a a a ..." against "b b b ..." took 34 s). Here:

- tokens are words and punctuation marks, each carrying the whitespace before it, so a space is
  never a token (and a removed comma is its own token: "год, утверждён" -> "год утверждён"
  marks only the comma);
- the common beginning and end are cut off in linear time;
- the rest goes to Myers' O(ND) algorithm with a budget of work units (one unit per diagonal
  visited and per token compared), a count rather than a clock, so the result does not depend
  on the machine's speed;
- over budget, paragraphs (lines) are compared instead, and each small changed block of lines
  is compared word by word within a shared budget; the others are marked whole ("lines");
- over budget again, the changed middle is shown as removed and added whole ("whole").

`method` records which of these produced the redline, so the screen can say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One unit is one diagonal step or one token comparison of the Myers loop: about a
# microsecond of CPython, so a section costs at most a few tenths of a second.
WORK_BUDGET = 150_000
# Word-by-word refinement of the changed blocks after a fallback to lines.
BLOCK_TOKENS = 400
REFINE_BUDGET = 300_000
# Texts longer than this are not compared at all (sections are limited to 20,000 characters;
# this guards data that arrived some other way).
MAX_CHARS = 200_000

WORDS, LINES, WHOLE, SAME = "words", "lines", "whole", "same"

# Optional leading whitespace, then a word or one punctuation mark; trailing whitespace at the
# very end is a token of its own. Every character of the text is in exactly one token.
_TOKEN = re.compile(r"\s*(?:\w+|[^\w\s])|\s+", re.UNICODE)


@dataclass(frozen=True)
class Redline:
    method: str  # words | lines | whole | same
    segments: list[list[str]] | None  # None when the texts are the same


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def lines(text: str) -> list[str]:
    return (text or "").splitlines(keepends=True)


def _word_key(token: str) -> str:
    """Tokens compare by their word and whether a line break precedes it, not by the exact
    run of spaces: a double space is not a change worth marking."""
    core = token.lstrip()
    if len(core) == len(token):
        return core
    return ("\n" if "\n" in token[: len(token) - len(core)] else " ") + core


Steps = list[tuple[str, int, int]]


def _myers(a: list[str], b: list[str], budget: int) -> tuple[Steps | None, int]:
    """Shortest edit script turning `a` into `b` (Myers 1986, forward greedy with a trace),
    as ("eq" | "del" | "ins", index in a, index in b) steps, and the work spent; the steps
    are None when the work exceeds `budget` (it stops there, at most one snake beyond).
    Memory is O(D^2) for D edits, and D is bounded by the budget."""
    n, m = len(a), len(b)
    offset = n + m + 1
    v = [0] * (2 * offset + 1)
    trace: list[list[int]] = []
    work = 0
    for d in range(n + m + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]
            else:
                x = v[offset + k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            work += 1 + (x - start)
            v[offset + k] = x
            if x >= n and y >= m:
                trace.append(v[offset - d: offset + d + 1])
                return _backtrack(trace, n, m), work
            if work > budget:  # at most one snake (<= min(n, m) steps) beyond the budget
                return None, work
        trace.append(v[offset - d: offset + d + 1])
    return None, work  # not reached: d = n + m always ends the search


def _backtrack(trace: list[list[int]], n: int, m: int) -> Steps:
    steps: Steps = []
    x, y = n, m
    for d in range(len(trace) - 1, 0, -1):
        prev = trace[d - 1]  # diagonals -(d-1)..(d-1) after round d-1
        k = x - y
        # Came down from diagonal k + 1 (an insertion) or right from k - 1 (a deletion).
        down = k == -d or (k != d and prev[k - 1 + d - 1] < prev[k + 1 + d - 1])
        prev_k = k + 1 if down else k - 1
        prev_x = prev[prev_k + d - 1]
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            steps.append(("eq", x, y))
        if x == prev_x:
            y -= 1
            steps.append(("ins", x, y))
        else:
            x -= 1
            steps.append(("del", x, y))
    while x > 0 and y > 0:
        x, y = x - 1, y - 1
        steps.append(("eq", x, y))
    steps.reverse()
    return steps


class _Builder:
    """Collects segments, merging neighbours of the same kind; within a changed stretch all
    that was removed comes before all that was added."""

    def __init__(self) -> None:
        self.segments: list[list[str]] = []
        self._del: list[str] = []
        self._ins: list[str] = []

    def _push(self, op: str, text: str) -> None:
        if not text:
            return
        if self.segments and self.segments[-1][0] == op:
            self.segments[-1][1] += text
        else:
            self.segments.append([op, text])

    def _flush(self) -> None:
        removed, added = "".join(self._del), "".join(self._ins)
        self._del, self._ins = [], []
        # A word replaced by another: keep the space before it outside the marks
        # ("на <del>2025</del><ins>2026</ins>", not "на<del> 2025</del><ins> 2026</ins>").
        if removed and added:
            lead = 0
            while (lead < min(len(removed), len(added)) and removed[lead] == added[lead]
                   and removed[lead].isspace()):
                lead += 1
            self._push("eq", added[:lead])
            removed, added = removed[lead:], added[lead:]
        self._push("del", removed)
        self._push("ins", added)

    def eq(self, text: str) -> None:
        self._flush()
        self._push("eq", text)

    def delete(self, text: str) -> None:
        self._del.append(text)

    def insert(self, text: str) -> None:
        self._ins.append(text)

    def done(self) -> list[list[str]]:
        self._flush()
        return self.segments


def _trim(a: list[str], b: list[str]) -> tuple[int, int]:
    """Lengths of the common beginning and the common end (not overlapping)."""
    start, limit = 0, min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    return start, end


def _word_steps(old: list[str], new: list[str], budget: int, out: _Builder) -> int | None:
    """Word-level comparison of two token lists into `out`: the work spent, or None (and
    nothing written) when over budget."""
    ka, kb = [_word_key(t) for t in old], [_word_key(t) for t in new]
    start, end = _trim(ka, kb)
    steps, work = _myers(ka[start: len(ka) - end], kb[start: len(kb) - end], budget)
    if steps is None:
        return None
    out.eq("".join(new[:start]))
    for op, i, j in steps:
        if op == "eq":
            out.eq(new[start + j])
        elif op == "del":
            out.delete(old[start + i])
        else:
            out.insert(new[start + j])
    out.eq("".join(new[len(new) - end:]))
    return work


def _line_steps(old: str, new: str, out: _Builder) -> int | None:
    """Line-level comparison into `out`, small changed blocks refined word by word: the
    number of blocks left marked whole, or None (nothing written) when over budget."""
    a, b = lines(old), lines(new)
    start, end = _trim(a, b)
    steps, _work = _myers(a[start: len(a) - end], b[start: len(b) - end], WORK_BUDGET)
    if steps is None:
        return None
    out.eq("".join(b[:start]))
    refine_left = REFINE_BUDGET
    whole_blocks = 0
    removed: list[str] = []
    added: list[str] = []

    def refine(old_part: str, new_part: str) -> bool:
        """Word by word if small enough and the shared budget allows; else nothing written."""
        nonlocal refine_left
        ta, tb = tokens(old_part), tokens(new_part)
        if len(ta) + len(tb) > BLOCK_TOKENS or refine_left <= 0:
            return False
        trial = _Builder()
        work = _word_steps(ta, tb, refine_left, trial)
        if work is None:
            refine_left = 0  # spent
            return False
        refine_left -= work
        for op, text in trial.done():
            {"eq": out.eq, "del": out.delete, "ins": out.insert}[op](text)
        return True

    def close_block() -> None:
        nonlocal whole_blocks
        if removed and added:
            # Paragraphs edited one for one (the usual case): compare each pair on its own.
            pairs = (list(zip(removed, added, strict=True)) if len(removed) == len(added)
                     else [("".join(removed), "".join(added))])
            for old_part, new_part in pairs:
                if not refine(old_part, new_part):
                    whole_blocks += 1
                    out.delete(old_part)
                    out.insert(new_part)
        else:
            out.delete("".join(removed))
            out.insert("".join(added))
        removed.clear()
        added.clear()

    for op, i, j in steps:
        if op == "eq":
            close_block()
            out.eq(b[start + j])
        elif op == "del":
            removed.append(a[start + i])
        else:
            added.append(b[start + j])
    close_block()
    out.eq("".join(b[len(b) - end:]))
    return whole_blocks


def compute(old: str, new: str) -> Redline:
    """The redline of `new` against `old`, at bounded cost."""
    old, new = old or "", new or ""
    if old.strip() == new.strip():
        return Redline(SAME, None)
    if len(old) <= MAX_CHARS and len(new) <= MAX_CHARS:
        out = _Builder()
        if _word_steps(tokens(old), tokens(new), WORK_BUDGET, out) is not None:
            return Redline(WORDS, out.done())
        out = _Builder()
        whole_blocks = _line_steps(old, new, out)
        if whole_blocks is not None:
            # Every changed block compared word by word after all: as good as "words".
            return Redline(LINES if whole_blocks else WORDS, out.done())
    # Too large to compare: keep the common beginning and end, the rest removed and added.
    a, b = tokens(old), tokens(new)
    start, end = _trim(a, b)
    out = _Builder()
    out.eq("".join(b[:start]))
    out.delete("".join(a[start: len(a) - end]))
    out.insert("".join(b[start: len(b) - end]))
    out.eq("".join(b[len(b) - end:]))
    return Redline(WHOLE, out.done())


def old_text(segments: list[list[str]]) -> str:
    return "".join(t for op, t in segments if op != "ins")


def new_text(segments: list[list[str]]) -> str:
    return "".join(t for op, t in segments if op != "del")
