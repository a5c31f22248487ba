"""Rendering of a stored redline (see workflow.redline): <del> for removed text, <ins> for
added text. No comparison happens here: the redline was computed when the text was saved or
the revision frozen."""

from __future__ import annotations

from markupsafe import Markup, escape

_TAGS = {"del": "del", "ins": "ins"}


def render(segments) -> Markup:
    """HTML for stored segments; safe to embed (every text is escaped, tags are fixed)."""
    parts: list[str] = []
    for op, text in segments or ():
        tag = _TAGS.get(op)
        parts.append(f"<{tag}>{escape(text)}</{tag}>" if tag else str(escape(text)))
    return Markup("".join(parts))
