"""Plain text that users type: the one rule every text input follows.

Text typed into the screens and the API ends up in the database, on screens and in signed
PDFs. Control characters (NUL cannot even be stored by PostgreSQL), bidirectional overrides
and isolates (which make a PDF read differently from what was typed, e.g. a reversed
amount), lone surrogates and Unicode noncharacters have no place in a letter: they are
refused with a message that names the field. Line breaks (LF, CRLF, CR) and tabs are
ordinary text; CRLF and CR are normalised to LF.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidInput

# Bidi embeddings/overrides U+202A-U+202E and isolates U+2066-U+2069.
_BIDI = "\u202a-\u202e\u2066-\u2069"
# C0 controls but TAB (09), LF (0A) and CR (0D); DEL and the C1 controls.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Lone surrogates (JSON "\ud800" decodes to one) and the 66 noncharacters.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
FORBIDDEN_RE = re.compile(f"[{_CONTROLS}{_BIDI}\ud800-\udfff{_NONCHARACTERS}]")


def forbidden_character(value: str) -> str | None:
    """The first character of `value` that text may not contain, or None."""
    found = FORBIDDEN_RE.search(value)
    return found.group() if found else None


def describe(char: str) -> str:
    """"U+202E (RIGHT-TO-LEFT OVERRIDE)": how a refused character is named to the user."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} ({name})" if name else code


def refusal(label: str, char: str) -> str:
    """The Russian message for a refused character in the field `label`."""
    return (f"Поле «{label}» содержит недопустимый символ {describe(char)}: управляющие "
            "символы и символы смены направления текста не допускаются")


def check_text(value: str, label: str, field: str | None = None) -> str:
    """`value` with its line breaks as LF, if it holds no forbidden character; else
    InvalidInput naming the field. Check before stripping: Python's `strip` removes some
    control characters (NEL, the C0 separators) at the ends, which would hide them."""
    char = forbidden_character(value)
    if char is not None:
        raise InvalidInput(refusal(label, char), field=field)
    return value.replace("\r\n", "\n").replace("\r", "\n")


def clean_text(
    value: str | None, label: str, *, field: str | None = None, limit: int | None = None,
    required: bool = False, required_message: str | None = None,
) -> str:
    """The text as stored: line breaks normalised, surrounding whitespace removed, checked
    for forbidden characters, a required value present, at most `limit` characters."""
    value = check_text(value or "", label, field).strip()
    if required and not value:
        raise InvalidInput(required_message or f"Заполните поле «{label}»", field=field)
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"Поле «{label}» длиннее {limit} символов", field=field)
    return value
