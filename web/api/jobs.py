"""Bulk signing through the API: `POST /letters/bulk-sign` registers the letters and answers
202 with the job id; `GET /jobs/{id}` reports the progress of their PDFs."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from documents.issue import session_sealer, session_ttl
from workflow import bulk_signing
from workflow.errors import NotFound
from workflow.models import User

from ..database import db, now
from .common import ID, actor, unit_of_work
from .fields import INT_MAX
from .parsing import bad, json_object
from .registry import WRITE, operation


class BulkSignRequest(BaseModel):
    """Letters to sign, registered in this order; the PIN of the signatory's key, once."""

    model_config = ConfigDict(extra="forbid", strict=True)
    letter_ids: list[int] = Field(min_length=1, max_length=bulk_signing.MAX_BATCH,
                                  description="Проекты писем в порядке регистрации")
    pin: str = Field(max_length=200, description="PIN-код ключа подписанта (не сохраняется)")
    acting_for: int | None = Field(
        default=None, ge=1, le=INT_MAX,
        description="Подписать как И.о. за отсутствующего подписанта (его идентификатор): "
                    "только пока вы его замещаете; подпись — вашим ключом")


class JobAccepted(BaseModel):
    job: int = Field(description="Идентификатор задания: GET /jobs/{job}")


class JobFailure(BaseModel):
    letter_id: int
    number: str | None
    error: str = Field(description="Причина после всех повторов")


class JobProgress(BaseModel):
    id: int
    kind: str = Field(description="bulk_sign")
    state: str = Field(description="running или finished")
    total: int
    done: int
    failed: int
    pending: int
    estimate_seconds: int | None = Field(description="Оценка оставшегося времени")
    created_at: datetime
    finished_at: datetime | None
    failures: list[JobFailure]


def _request() -> BulkSignRequest:
    try:
        data = BulkSignRequest.model_validate(json_object())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        if first["type"] == "extra_forbidden":
            raise bad("unknown_field", f"Неизвестное поле «{where}»", where) from None
        if first["type"] == "missing":
            raise bad("missing_field", f"Нет обязательного поля «{where}»", where) from None
        raise bad("invalid_value", f"Неверное значение поля «{where}»: нужен список "
                  f"идентификаторов писем (1–{bulk_signing.MAX_BATCH}), строка PIN-кода и, "
                  "для подписи за отсутствующего, его идентификатор", where) from None
    if any(not 1 <= i <= INT_MAX for i in data.letter_ids):
        raise bad("invalid_value", "Идентификаторы писем — целые числа больше нуля", "letter_ids")
    return data


@operation("post", "/letters/bulk-sign", "Подписать несколько проектов писем одним PIN-кодом "
           "(подписант): регистрируются в указанном порядке одной транзакцией, PDF "
           "формируются в фоне. Ошибки: not_found, illegal_transition (не проект), "
           "already_in_batch, forbidden, wrong_pin, pin_locked, pin_required, "
           "no_certificate, invalid_value", tag="letters", body=BulkSignRequest,
           ok=JobAccepted, status=202, description="Письма зарегистрированы; задание принято",
           errors=(*WRITE, 429), op_id="bulkSignLetters")
def bulk_sign():
    data = _request()
    app = current_app._get_current_object()
    # A wrong PIN keeps only the failed attempt (WrongPin.kept); nothing is registered.
    with unit_of_work() as session:
        absent = None
        if data.acting_for is not None:
            absent = session.get(User, data.acting_for)
            if absent is None:
                raise NotFound("Подписант, за которого вы подписываете, не найден")
        batch = bulk_signing.sign_batch(session, data.letter_ids, actor(), now=now(),
                                        pin=data.pin, sealer=session_sealer(app),
                                        session_ttl=session_ttl(app), acting_for=absent)
    # The commit enqueued one PDF job per letter (web.jobs.letters).
    return JobAccepted(job=batch.id).model_dump(), 202


@operation("get", f"/jobs/<{ID}:job_id>", "Ход задания: сколько PDF готово, сколько не "
           "удалось и почему", tag="letters", ok=JobProgress, errors=(401, 404))
def get_job(job_id: int):
    progress = bulk_signing.progress(db(), job_id, now=now())
    if progress is None or progress.user_id != actor().id:
        raise NotFound("Задание не найдено")
    return JobProgress(
        id=progress.id, kind="bulk_sign", state=progress.state, total=progress.total,
        done=progress.done, failed=progress.failed, pending=progress.pending,
        estimate_seconds=progress.estimate_seconds, created_at=progress.created_at,
        finished_at=progress.finished_at,
        failures=[JobFailure(letter_id=f.letter_id, number=f.number, error=f.error)
                  for f in progress.failures],
    ).model_dump(mode="json")
