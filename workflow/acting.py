"""The signature block of an acting official (ГОСТ Р 7.0.97-2025, реквизит «подпись»).

When a substitute signs for an absent official, the position reads "И.о." followed by the
absent official's position in the genitive ("И.о. заместителя министра образования
Приморского края"), and the name is the substitute's own initials and surname; the
signature is the substitute's own key. The genitive is stored on the user
(`position_genitive`, edited by the administrator); when empty, it is derived from the
position by declining its first word (the head noun: "Заместитель" -> "заместителя",
"Министр" -> "министра", "Начальник" -> "начальника"), which is right for the usual titles.
"""

from __future__ import annotations

ACTING = "И.о."


def _genitive_word(word: str) -> str:
    lower = word[:1].lower() + word[1:]
    if not lower or not lower[-1].isalpha():
        return lower
    last = lower[-1]
    if last in "ьй":
        return lower[:-1] + "я"
    if last == "а":
        return lower[:-1] + ("и" if lower[-2:-1] in "гкхжчшщ" else "ы")
    if last in "еёиоуыэюя":
        return lower
    return lower + "а"


def derived_genitive(position: str) -> str:
    """"Заместитель министра\\nобразования Приморского края" ->
    "заместителя министра\\nобразования Приморского края" (line breaks kept)."""
    text = (position or "").strip()
    if not text:
        return ""
    head, sep, rest = text.partition(" ")
    first_line, nl, tail = head.partition("\n")
    return _genitive_word(first_line) + nl + tail + sep + rest


def position_genitive(user) -> str:
    stored = (getattr(user, "position_genitive", "") or "").strip()
    if stored:
        return stored[:1].lower() + stored[1:]
    return derived_genitive(user.position or "")


def acting_position_lines(absent) -> list[str]:
    """The position lines of the signature block when someone signs for `absent`."""
    genitive = position_genitive(absent)
    lines = genitive.splitlines() or [""]
    lines[0] = f"{ACTING} {lines[0]}".rstrip()
    return lines
