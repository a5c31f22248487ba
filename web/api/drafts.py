"""DELETE /programmes/{id}: the municipality's editor deletes a draft never sent
(workflow.drafts); anything ever submitted answers 409 illegal_transition."""

from __future__ import annotations

from pydantic import BaseModel, Field

from workflow import drafts

from ..database import now
from .common import ID, actor, load_programme, unit_of_work
from .fields import QueryInteger, Shape
from .parsing import parse_query
from .registry import WRITE, operation


class DeleteQuery(Shape):
    version: QueryInteger() | None = Field(None, description="Версия, которую видел клиент "
                                                             "(необязательно)")


class DeletedDraft(BaseModel):
    """What was deleted."""

    id: int = Field(description="Идентификатор удалённой программы")
    title: str = Field(description="Её название")


@operation("delete", f"/programmes/<{ID}:programme_id>",
           "Удалить черновик, ни разу не направлявшийся в министерство (специалист "
           "муниципалитета); направленную программу — только отозвать", tag="programmes",
           query=DeleteQuery, ok=DeletedDraft, description="Черновик удалён", errors=WRITE)
def delete_draft(programme_id: int):
    version = parse_query(DeleteQuery).version
    with unit_of_work() as session:
        programme = load_programme(programme_id)
        record = drafts.delete_draft(session, programme, actor(), now=now(),
                                     expected_version=version)
    return DeletedDraft(**record).model_dump()
