"""A word-level redline of two texts: <del> for removed words, <ins> for added ones."""

from __future__ import annotations

import difflib
import re

from markupsafe import Markup, escape

# Words (letters, digits), runs of whitespace, and single punctuation marks are the tokens,
# so that a changed comma does not mark the whole neighbouring word as changed.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _chunk(tag: str, words: list[str]) -> str:
    text = "".join(words)
    if not text:
        return ""
    if tag == "equal":
        return str(escape(text))
    return f"<{tag}>{escape(text)}</{tag}>"


def redline(old: str, new: str) -> Markup:
    """HTML for `new` against `old`; safe to embed (every fragment is escaped)."""
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(_chunk("equal", b[j1:j2]))
        elif op == "delete":
            parts.append(_chunk("del", a[i1:i2]))
        elif op == "insert":
            parts.append(_chunk("ins", b[j1:j2]))
        else:  # replace
            parts.append(_chunk("del", a[i1:i2]))
            parts.append(_chunk("ins", b[j1:j2]))
    return Markup("".join(parts))


def changed(old: str, new: str) -> bool:
    return (old or "").strip() != (new or "").strip()
