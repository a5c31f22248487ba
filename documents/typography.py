"""Russian office typography: what must never be separated by a line break.

ГОСТ Р 7.0.97 and every style guide forbid leaving `№` at the end of a line without its number,
or initials on one line and the surname on the next. Templates apply :func:`keep_together` to
every user-supplied string instead of relying on authors to type U+00A0 themselves.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"

_NUMBER_SIGN = re.compile(r"№\s*(?=\S)")
_UPPER = "А-ЯЁA-Z"
_LOWER = "а-яёa-z"
_SURNAME = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_INITIALS = rf"[{_UPPER}]\.\s?(?:[{_UPPER}]\.)?"
# "М.В. Шкуратская" / "М. В. Шкуратская": initials before the surname.
_INITIALS_FIRST = re.compile(rf"\b({_INITIALS})\s+({_SURNAME})\b")
# "Шкуратская М.В.": surname before the initials (lists, executor marks).
_SURNAME_FIRST = re.compile(rf"\b({_SURNAME})\s+([{_UPPER}]\.\s?(?:[{_UPPER}]\.)?)")
# Short abbreviations glued to the following word: "г. Владивосток", "ул. Светланская".
# A list item's leading dash stays with the first word, and is the typographic en dash.
_LIST_DASH = re.compile(r"^[-–—]\s+")
# A dash never starts a line: "работы — до" keeps the dash with the word before it.
_DASH_AFTER_WORD = re.compile(r"(?<=\S) (?=[—–] )")
# A short preposition stays with the number or date it governs: "до 30.09.2022", "от 15.07.2022".
_PREPOSITION_NUMBER = re.compile(r"(?<![\w-])(от|до|на|по|с|со|в|во|к|за|из)\s+(?=\d)", re.IGNORECASE)
_ABBREVIATION = re.compile(r"(?<![\w.])(г|ул|д|пр|пер|тел|стр|корп|каб|п)\.\s+", re.IGNORECASE)


def _initials(text: str) -> str:
    # Drop the space between initials ("М. В." -> "М.В."), as ГОСТ writes them.
    return re.sub(r"\.\s(?=[А-ЯЁA-Z]\.)", ".", text)


_OPENS_AFTER = set(" \t\n\u00a0([{-–—/«„")


def typographic_quotes(text: str) -> str:
    """Straight quotes become «ёлочки», and quotes inside quotes „лапки“, as Russian office
    texts write them: «Программа „Успех“ на 2026–2028 годы». Guillemets already typed are
    kept, and re-nested when they stand inside other quotes."""
    if '"' not in text and "«" not in text and "„" not in text:
        return text
    out: list[str] = []
    depth = 0
    for i, char in enumerate(text):
        if char == '"':
            previous = text[i - 1] if i else " "
            opening = previous in _OPENS_AFTER or depth == 0
            # A straight quote right after a word closes, unless nothing is open.
            if previous not in _OPENS_AFTER and depth > 0:
                opening = False
        elif char in "«„":
            opening = True
        elif char in "»“" and depth > 0:
            opening = False
        else:
            out.append(char)
            continue
        if opening:
            out.append("«" if depth == 0 else "„")
            depth += 1
        else:
            depth -= 1
            out.append("»" if depth == 0 else "“")
    return "".join(out)


def keep_together(text: str) -> str:
    text = typographic_quotes(text)
    text = _LIST_DASH.sub("–" + NBSP, text)
    text = _NUMBER_SIGN.sub("№" + NBSP, text)
    text = _DASH_AFTER_WORD.sub(NBSP, text)
    text = _PREPOSITION_NUMBER.sub(lambda m: m[1] + NBSP, text)
    text = _INITIALS_FIRST.sub(lambda m: _initials(m[1]) + NBSP + m[2], text)
    text = _SURNAME_FIRST.sub(lambda m: m[1] + NBSP + _initials(m[2]), text)
    return _ABBREVIATION.sub(lambda m: m[0].rstrip() + NBSP, text)
