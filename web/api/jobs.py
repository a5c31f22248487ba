"""Bulk signing through the API: `POST /letters/bulk-sign` registers the letters and answers
202 with the job id; `GET /jobs/{id}` reports the progress of their PDFs."""

from __future__ import annotations

from flask import current_app
from pydantic import ValidationError

from documents.issue import session_sealer, session_ttl
from workflow import bulk_signing
from workflow.errors import NotFound
from workflow.models import User

from ..database import db, now
from .common import ID, actor, unit_of_work
from .fields import INT_MAX, Person
from .job_shapes import BulkSignRequest, JobAccepted, JobFailure, JobProgress
from .parsing import bad, json_object
from .registry import WRITE, operation


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
        acting_for=(Person(id=progress.acting_for[0], full_name=progress.acting_for[1])
                    if progress.acting_for else None),
        failures=[JobFailure(letter_id=f.letter_id, number=f.number, error=f.error)
                  for f in progress.failures],
    ).model_dump(mode="json")
