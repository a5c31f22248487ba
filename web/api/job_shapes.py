"""Shapes of bulk signing through the API: the request, the accepted job, its progress."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from workflow import bulk_signing

from .fields import INT_MAX, Person


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
    acting_for: Person | None = Field(
        description="Подписано как И.о. за этого отсутствующего подписанта (иначе null)")
    failures: list[JobFailure]
