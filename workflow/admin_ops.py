"""Administration use cases: roles, municipalities and campaigns. Admin only."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .access import ensure_active
from .errors import InvalidInput, NotFound, PermissionDenied
from .models import Campaign, Municipality, Requirement, User
from .states import Role
from .text import check_text

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
MAX_REQUIREMENTS = 50


def _check_admin(actor: User) -> None:
    ensure_active(actor)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Действие доступно только администратору")


def _clean(value: str | None, what: str, limit: int, *, required: bool = False) -> str:
    value = check_text(value or "", what, what).strip()
    if required and not value:
        raise InvalidInput(f"Заполните поле «{what}»", field=what)
    if len(value) > limit:
        raise InvalidInput(f"Поле «{what}» длиннее {limit} символов", field=what)
    return value


def change_role(
    session: Session, user: User, actor: User, *, role: str, municipality_id: int | None,
    now: datetime | None = None,
) -> User:
    """Set a user's role and, for a municipal editor, the municipality. Ends their sessions.
    Making someone a signatory is audited and announced to the signatories (needs `now`)."""
    _check_admin(actor)
    try:
        role_enum = Role(role)
    except ValueError:
        raise InvalidInput("Неизвестная роль", field="role") from None
    if user.id == actor.id and role_enum != Role.ADMIN:
        raise InvalidInput("Нельзя снять роль администратора с самого себя", field="role")
    if role_enum == Role.MUNICIPAL_EDITOR:
        if municipality_id is None:
            raise InvalidInput("Для специалиста муниципалитета укажите муниципалитет",
                               field="municipality")
        if session.get(Municipality, municipality_id) is None:
            raise NotFound("Муниципалитет не найден")
    else:
        municipality_id = None
    granted = role_enum == Role.SIGNATORY and user.role != Role.SIGNATORY
    if granted and now is None:
        raise ValueError("granting the signatory role needs the clock (now=)")
    if user.role != role_enum.value or user.municipality_id != municipality_id:
        user.role = role_enum.value
        user.municipality_id = municipality_id
        user.session_epoch += 1
    session.flush()
    if granted:
        from .signatory_certificates import signatory_granted

        signatory_granted(session, user, actor, now=now)
    return user


# Reference data of a municipality for letters: (field, label, length limit).
REFERENCE_FIELDS = (
    ("name_genitive", "Наименование в родительном падеже", 200),
    ("name_dative", "Наименование в дательном падеже", 200),
    ("name_prepositional", "Наименование в предложном падеже", 200),
    ("authority_name", "Орган управления образованием", 300),
    ("authority_name_dative", "Орган управления образованием в дательном падеже", 300),
    ("head_position", "Должность руководителя", 300),
    ("head_position_dative", "Должность руководителя в дательном падеже", 300),
    ("head_surname", "Фамилия руководителя", 100),
    ("head_first_name", "Имя руководителя", 100),
    ("head_patronymic", "Отчество руководителя", 100),
    ("email", "Официальная электронная почта", 200),
    ("address", "Почтовый адрес", 300),
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PERSON_NAME = re.compile(r"^[А-ЯЁA-Z][а-яёa-zА-ЯЁA-Z'’]*(?:[- ][А-ЯЁA-Zа-яёa-z][а-яёa-zА-ЯЁA-Z'’]*)*$")


def _reference_data(values: dict, name: str) -> dict[str, str]:
    """Checked reference data: lengths, names that look like names, and a head with what the
    addressee line needs (position in the dative, surname and first name)."""
    data = {key: " ".join(_clean(values.get(key), label, limit).split())
            for key, label, limit in REFERENCE_FIELDS}
    labels = {key: label for key, label, _limit in REFERENCE_FIELDS}
    if data["email"] and not _EMAIL.match(data["email"]):
        raise InvalidInput(f"Поле «{labels['email']}»: адрес вида name@example.ru",
                           field="email")
    for key in ("head_surname", "head_first_name", "head_patronymic"):
        if data[key] and not _PERSON_NAME.match(data[key]):
            raise InvalidInput(f"Поле «{labels[key]}»: только буквы, дефис и апостроф; "
                               "с заглавной буквы", field=key)
    head = [data[k] for k in ("head_surname", "head_first_name", "head_patronymic",
                              "head_position", "head_position_dative")]
    if any(head):
        for key in ("head_surname", "head_first_name", "head_position_dative"):
            if not data[key]:
                raise InvalidInput(f"Заполните поле «{labels[key]}»: без него письмо "
                                   "руководителю не адресовать", field=key)
    # A declined form typed as the nominative is a slip the letters would print.
    for key, nominative in (("name_genitive", name), ("name_dative", name),
                            ("name_prepositional", name),
                            ("authority_name_dative", data["authority_name"]),
                            ("head_position_dative", data["head_position"])):
        if data[key] and data[key].lower() == nominative.strip().lower():
            raise InvalidInput(f"Поле «{labels[key]}» совпадает с именительным падежом",
                               field=key)
    return data


def create_municipality(
    session: Session, actor: User, *, code: str, name: str, kind: str = "", **reference: str,
) -> Municipality:
    """`reference`: the fields of REFERENCE_FIELDS (name forms, authority, head)."""
    _check_admin(actor)
    code = (code or "").strip().lower()
    if not CODE_RE.match(code):
        raise InvalidInput("Код: латинские буквы, цифры, дефис; от 2 до 64 символов", field="code")
    if session.scalar(select(func.count(Municipality.id)).where(Municipality.code == code)):
        raise InvalidInput(f"Муниципалитет с кодом «{code}» уже есть", field="code")
    _unknown(reference)
    municipality = Municipality(
        code=code,
        name=_clean(name, "Наименование", 200, required=True),
        kind=_clean(kind, "Вид", 100),
        active=True,
        **_reference_data(reference, name or ""),
    )
    session.add(municipality)
    session.flush()
    return municipality


def update_municipality(
    session: Session, municipality: Municipality, actor: User, *, name: str, kind: str = "",
    **reference: str,
) -> Municipality:
    _check_admin(actor)
    _unknown(reference)
    values = {
        "name": _clean(name, "Наименование", 200, required=True),
        "kind": _clean(kind, "Вид", 100),
        **_reference_data(reference, name or ""),
    }
    for key, value in values.items():  # all checked before anything changes
        setattr(municipality, key, value)
    session.flush()
    return municipality


def _unknown(reference: dict) -> None:
    extra = set(reference) - {key for key, _label, _limit in REFERENCE_FIELDS}
    if extra:
        raise TypeError(f"unknown municipality fields: {sorted(extra)}")


def set_municipality_active(
    session: Session, municipality: Municipality, actor: User, *, active: bool
) -> Municipality:
    _check_admin(actor)
    municipality.active = active
    session.flush()
    return municipality


def create_campaign(
    session: Session, actor: User, *, title: str, deadline: date, requirements: list[str],
    now: datetime, legal_basis: str = "", circular_number: str | None = None,
    circular_date: date | None = None,
) -> Campaign:
    _check_admin(actor)
    texts = [_clean(t, "Требование", 5000) for t in requirements if t and t.strip()]
    if not texts:
        raise InvalidInput("Укажите хотя бы одно требование", field="requirements")
    if len(texts) > MAX_REQUIREMENTS:
        raise InvalidInput(f"Не больше {MAX_REQUIREMENTS} требований", field="requirements")
    if deadline is None:
        raise InvalidInput("Укажите срок представления программ", field="deadline")
    campaign = Campaign(
        title=_clean(title, "Название", 300, required=True),
        legal_basis=_clean(legal_basis, "Правовое основание", 5000),
        deadline=deadline,
        circular_number=_clean(circular_number, "Номер письма", 50) or None,
        circular_date=circular_date,
        created_at=now,
        requirements=[Requirement(position=i, text=t) for i, t in enumerate(texts, start=1)],
    )
    session.add(campaign)
    session.flush()
    return campaign


def set_department(
    session: Session, user: User, actor: User, *, heads_department: bool, department: str,
    position_genitive: str,
) -> User:
    """A ministry user's department, whether they head it (heads reassign reviews and declare
    colleagues' absences), and their position in the genitive for "И.о. ..." signatures."""
    _check_admin(actor)
    department = _clean(department, "Отдел", 300)
    position_genitive = _clean(position_genitive, "Должность в родительном падеже", 300)
    if heads_department and not user.is_ministry:
        raise InvalidInput("Руководителем отдела может быть только сотрудник министерства",
                           field="heads_department")
    user.heads_department = bool(heads_department)
    user.department = department
    user.position_genitive = position_genitive
    session.flush()
    return user
