"""Russian personal names in letters: the addressee in the dative and the salutation.

Declension is the `petrovich` library's (rules maintained by the petrovich project for
surnames, first names and patronymics). It needs the person's gender: a Russian patronymic
states it ("-вна"/"-чна" female, "-вич"/"-ич" male, "кызы"/"оглы" for Turkic ones); without a
patronymic, petrovich's own gender rules for first names and surnames decide.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from petrovich.enums import Case, Gender
from petrovich.main import Petrovich

FEMALE, MALE = Gender.FEMALE, Gender.MALE


@lru_cache(maxsize=1)
def _petrovich() -> Petrovich:
    return Petrovich()


@lru_cache(maxsize=1)
def _gender_rules() -> dict:
    text = resources.files("petrovich").joinpath("rules", "gender.json").read_text(encoding="utf-8")
    return json.loads(text)["gender"]


def _by_rules(kind: str, value: str) -> str | None:
    rules = _gender_rules().get(kind, {})
    low = value.lower()
    # Exceptions (whole names) first, then the longest matching ending wins.
    best: tuple[int, str] | None = None
    for gender in (FEMALE, MALE, Gender.ANDRGN):
        for ending in rules.get(gender, []):
            if low == ending:
                return None if gender == Gender.ANDRGN else gender
            if low.endswith(ending) and (best is None or len(ending) > best[0]):
                best = (len(ending), gender)
    if best is None or best[1] == Gender.ANDRGN:
        return None
    return best[1]


def gender_of(first_name: str = "", patronymic: str = "", surname: str = "") -> str | None:
    """"female", "male" or None when nothing tells."""
    words = patronymic.lower().split()
    if words:
        if words[-1] in ("кызы", "гызы") or words[0].endswith(("вна", "чна", "шна")):
            return FEMALE
        if words[-1] in ("оглы", "улы", "уулу") or words[0].endswith(("вич", "ич")):
            return MALE
    for kind, value in (("firstname", first_name), ("lastname", surname)):
        if value:
            found = _by_rules(kind, value)
            if found:
                return found
    return None


def _initial(word: str) -> str:
    # "Анна-Мария" -> "А.-М."; a patronymic with "оглы" gives one initial.
    parts = [p for p in word.split("-") if p]
    return "-".join(p[0].upper() + "." for p in parts)


def initials_surname(surname: str, first_name: str = "", patronymic: str = "",
                     case: int | None = None) -> str:
    """"Е.А. Васильева", or in a case (Case.DATIVE): "Е.А. Васильевой"."""
    if case is not None and surname:
        gender = gender_of(first_name, patronymic, surname)
        # With the gender unknown, the nominative is less wrong than a guess ("Ким" -> "Киму").
        if gender is not None:
            surname = _petrovich().lastname(surname, case, gender)
    initials = "".join(_initial(w) for w in (first_name, patronymic.split()[0] if patronymic else "") if w)
    return f"{initials} {surname}".strip()


def dative_initials_surname(surname: str, first_name: str = "", patronymic: str = "") -> str:
    return initials_surname(surname, first_name, patronymic, Case.DATIVE)


def full_name_in(case: int, surname: str, first_name: str = "", patronymic: str = "") -> str:
    gender = gender_of(first_name, patronymic, surname)
    if gender is None:
        return " ".join(w for w in (surname, first_name, patronymic) if w)
    p = _petrovich()
    parts = []
    if surname:
        parts.append(p.lastname(surname, case, gender))
    if first_name:
        parts.append(p.firstname(first_name, case, gender))
    if patronymic:
        parts.append(p.middlename(patronymic, case, gender))
    return " ".join(parts)


def salutation(first_name: str, patronymic: str, surname: str = "") -> str | None:
    """"Уважаемая Елена Александровна!"; None when the name and patronymic are not known
    (the letter then says "Уважаемые коллеги!")."""
    if not first_name or not patronymic:
        return None
    gender = gender_of(first_name, patronymic, surname)
    if gender is None:
        return None
    word = "Уважаемая" if gender == FEMALE else "Уважаемый"
    return f"{word} {first_name} {patronymic}!"


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The word for `n` by Russian rules: 1 замечание, 2 замечания, 5 замечаний, 21 замечание."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many
