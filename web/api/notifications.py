"""The caller's notifications through the API: the list (paged, unread only on request, with
the unread count the bell shows), mark one or all as read, and how they are e-mailed.

A user sees and marks only their own notifications: another user's notification answers 404,
as one that does not exist. Shapes are pydantic models; the OpenAPI document takes their
schemas and paths from the `@operation` declarations below."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from workflow import notifications
from workflow.errors import NotFound
from workflow.models import Notification

from ..database import db, now
from .common import ID, actor, page_args, unit_of_work
from .fields import PageQuery
from .parsing import bad, parse_body
from .registry import operation

Preference = Literal["immediate", "digest", "off"]


class NotificationOut(BaseModel):
    id: int
    kind: str = Field(description="Вид события, например programme.submitted, letter.signed")
    text: str = Field(description="Текст уведомления, по-русски")
    link: str = Field(description="Путь на сайте, к которому относится уведомление (или пусто)")
    created_at: datetime
    read_at: datetime | None = Field(description="Когда отмечено прочитанным; null — не прочитано")


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int = Field(description="Сколько уведомлений под фильтром")
    page: int
    per_page: int
    unread: int = Field(description="Сколько непрочитанных всего (счётчик колокольчика)")


class MarkedRead(BaseModel):
    marked: int = Field(description="Сколько уведомлений отмечено прочитанными этим запросом")
    unread: int = Field(description="Сколько непрочитанных осталось")


class PreferenceRequest(BaseModel):
    """How notifications are e-mailed: immediate (one mail each), digest (one a day), off."""

    model_config = ConfigDict(extra="forbid", strict=True)
    mail_preference: Preference


class PreferenceOut(BaseModel):
    mail_preference: Preference
    label: str = Field(description="Выбранный способ, по-русски")
    email: str | None = Field(description="Адрес, на который уходят письма; null — писем нет")


class NotificationQuery(PageQuery):
    unread: Literal["true", "false", "1", "0"] | None = Field(
        None, description="true — только непрочитанные")


def _out(row: Notification) -> NotificationOut:
    return NotificationOut(id=row.id, kind=row.kind, text=row.text, link=row.link or "",
                           created_at=row.created_at, read_at=row.read_at)


def _unread_only() -> bool:
    raw = request.args.get("unread", "")
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise bad("invalid_value", "Параметр «unread» принимает значения true или false", "unread")


@operation("get", "/notifications", "Уведомления вызывающего пользователя, новые первыми; "
           "unread=true — только непрочитанные; unread в ответе — счётчик непрочитанных",
           tag="notifications", ok=NotificationPage, query=NotificationQuery, errors=(400, 401))
def list_notifications():
    user = actor()
    unread_only = _unread_only()  # its own message («Параметр «unread» принимает …»)
    page, per_page = page_args()
    session = db()
    result = notifications.page_of(session, user, page=page, page_size=per_page,
                                   unread_only=unread_only, clamp=False)
    return NotificationPage(
        items=[_out(row) for row in result.rows], total=result.total, page=page,
        per_page=per_page, unread=notifications.unread_count(session, user.id),
    ).model_dump(mode="json")


@operation("post", f"/notifications/<{ID}:notification_id>/read", "Отметить уведомление "
           "прочитанным (повторно — без изменений, marked = 0); чужое уведомление — 404",
           tag="notifications", ok=MarkedRead, errors=(401, 404))
def read_notification(notification_id: int):
    user = actor()
    with unit_of_work() as session:
        mine = session.scalar(select(Notification.id).where(
            Notification.id == notification_id, Notification.recipient_id == user.id))
        if mine is None:
            raise NotFound("Уведомление не найдено")
        marked = int(notifications.mark_read(session, user, notification_id, now=now()))
    return MarkedRead(marked=marked,
                      unread=notifications.unread_count(db(), user.id)).model_dump()


@operation("post", "/notifications/read-all", "Отметить прочитанными все уведомления",
           tag="notifications", ok=MarkedRead, errors=(401,))
def read_all_notifications():
    user = actor()
    with unit_of_work() as session:
        marked = notifications.mark_all_read(session, user, now=now())
    return MarkedRead(marked=marked,
                      unread=notifications.unread_count(db(), user.id)).model_dump()


def _preference_out() -> dict:
    user = actor()
    db().refresh(user)
    value = user.mail_preference or "immediate"
    return PreferenceOut(mail_preference=value, label=notifications.PREFERENCE_LABELS[value],
                         email=user.email or None).model_dump()


@operation("get", "/notifications/preferences", "Как присылать уведомления на почту: "
           "immediate — сразу, digest — раз в день сводкой, off — не присылать",
           tag="notifications", ok=PreferenceOut, errors=(401,),
           op_id="getNotificationPreferences")
def get_preferences():
    return _preference_out()


@operation("put", "/notifications/preferences", "Изменить способ доставки уведомлений на "
           "почту", tag="notifications", body=PreferenceRequest, ok=PreferenceOut,
           errors=(400, 401), op_id="putNotificationPreferences")
def put_preferences():
    data = parse_body(PreferenceRequest)
    with unit_of_work() as session:
        notifications.set_preference(session, actor().id, data.mail_preference)
    return _preference_out()
