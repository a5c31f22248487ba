"""DELETE /programmes/{id}: the municipality's editor deletes a draft never sent
(workflow.drafts); anything ever submitted answers 409 illegal_transition."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflow import drafts

from ..database import now
from . import bp
from .common import ID, actor, load_programme, unit_of_work
from .validation import query_int


class DeletedDraft(BaseModel):
    """What was deleted."""

    id: int = Field(description="Идентификатор удалённой программы")
    title: str = Field(description="Её название")


@bp.delete(f"/programmes/<{ID}:programme_id>")
def delete_draft(programme_id: int):
    version = query_int("version")
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        record = drafts.delete_draft(session, programme, actor(), now=now(),
                                     expected_version=version)
    return DeletedDraft(**record).model_dump()
