"""Shapes of letters and of the token endpoints, declared once."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from workflow import models as orm
from workflow.states import (
    LETTER_KIND_LABELS,
    LETTER_STATE_LABELS,
    ROLE_LABELS,
    LetterKind,
    LetterState,
    Role,
)

from .fields import (
    Integer,
    Municipality,
    Page,
    PageQuery,
    Person,
    QueryInteger,
    Shape,
    Text,
    Timestamp,
    municipality,
    person,
)

# ---------------------------------------------------------------- letters


class SignRequest(Shape):
    version: Integer(description="Версия проекта письма, которую видел подписант") = None
    pin: Text(200, description="PIN-код ключа электронной подписи подписанта (не сохраняется)") = ""


class LetterQuery(PageQuery):
    state: LetterState | None = Field(None, description="Состояние письма")
    kind: LetterKind | None = Field(None, description="Вид письма")
    programme_id: QueryInteger() | None = Field(None, description="Программа")


class Letter(Shape):
    id: int
    kind: LetterKind
    kind_label: str
    state: LetterState
    state_label: str
    version: int
    programme_id: int | None
    campaign_id: int | None
    municipality: Municipality | None
    addressee: str
    heading: str
    salutation: str
    body: str
    reply_to_number: str | None
    reply_to_date: date | None
    executor_name: str
    executor_phone: str
    number: str | None = Field(description="Регистрационный номер, например 23/6667")
    registered_on: date | None
    signatory: Person | None
    signed_at: Timestamp | None
    dispatched_at: Timestamp | None
    verification_code: str
    pdf_available: bool
    pdf_sha256: str | None
    created_at: Timestamp
    updated_at: Timestamp


class LetterList(Page):
    items: list[Letter]


def letter_out(x: orm.Letter) -> Letter:
    return Letter(
        id=x.id, kind=x.kind, kind_label=LETTER_KIND_LABELS[LetterKind(x.kind)], state=x.state,
        state_label=LETTER_STATE_LABELS[LetterState(x.state)], version=x.version,
        programme_id=x.programme_id, campaign_id=x.campaign_id,
        municipality=municipality(x.municipality), addressee=x.addressee, heading=x.heading,
        salutation=x.salutation, body=x.body, reply_to_number=x.reply_to_number,
        reply_to_date=x.reply_to_date, executor_name=x.executor_name,
        executor_phone=x.executor_phone, number=x.number, registered_on=x.registered_on,
        signatory=person(x.signatory), signed_at=x.signed_at, dispatched_at=x.dispatched_at,
        verification_code=x.verification_code, pdf_available=x.pdf_sha256 is not None,
        pdf_sha256=x.pdf_sha256, created_at=x.created_at, updated_at=x.updated_at)


# ---------------------------------------------------------------- tokens


class TokenRequest(Shape):
    login: Text(64)
    password: Text(200)
    code: Text(64, description="Код второго фактора (6 цифр из приложения или код "
                               "восстановления), если он подключён") = None


class User(Shape):
    id: int
    login: str
    full_name: str
    role: Role
    role_label: str
    municipality: Municipality | None


class Token(Shape):
    token: str = Field(description="Передавайте в заголовке Authorization: Bearer <token>")
    token_type: Literal["Bearer"]
    expires_at: Timestamp
    user: User


class Me(Shape):
    user: User


def user_out(user: orm.User) -> User:
    return User(id=user.id, login=user.login, full_name=user.full_name, role=user.role,
                   role_label=ROLE_LABELS[Role(user.role)],
                   municipality=municipality(user.municipality))
