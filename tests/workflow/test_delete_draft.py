"""«Удалить черновик»: a draft never sent is deleted with its sections and files; anything
ever submitted is refused with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import new_programme, programme_in
from tests.workflow.support import snapshot
from workflow import drafts, files
from workflow.errors import ForeignMunicipality, IllegalTransition, PermissionDenied
from workflow.models import Programme, ProgrammeFile, ProgrammeSection, SecurityEvent
from workflow.states import ProgrammeState
from workflow.storage import FileSystemBlobStore

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_the_editor_deletes_a_draft_with_its_sections_and_files(world, tmp_path):
    w = world
    p = new_programme(w)
    files.add_files(w.session, p, w.editor, [files.NewFile("plan.pdf", "application/pdf",
                                                           PDF)],
                    store=FileSystemBlobStore(tmp_path / "files"), now=w.clock.tick())
    pid = p.id
    assert _count(w.session, ProgrammeFile) == 1
    record = drafts.delete_draft(w.session, p, w.editor, now=w.clock.tick())
    w.session.commit()
    assert record["id"] == pid
    assert w.session.get(Programme, pid) is None
    assert _count(w.session, ProgrammeSection) == 0
    assert _count(w.session, ProgrammeFile) == 0
    logged = w.session.scalars(select(SecurityEvent).where(
        SecurityEvent.action == "programme.draft_deleted")).one()
    assert f"programme_id={pid}" in logged.detail and logged.user_id == w.editor.id


@pytest.mark.parametrize("state", [ProgrammeState.SUBMITTED, ProgrammeState.WITHDRAWN,
                                   ProgrammeState.RETURNED])
def test_a_programme_ever_submitted_is_not_deleted(world, state):
    w = world
    p = programme_in(w, state)
    before = snapshot(w.session, p.id)
    with pytest.raises(IllegalTransition):
        drafts.delete_draft(w.session, p, w.editor, now=w.clock.tick())
    assert snapshot(w.session, p.id) == before


@pytest.mark.parametrize(("who", "error"), [("foreign_editor", ForeignMunicipality),
                                            ("reviewer", PermissionDenied),
                                            ("admin", PermissionDenied)])
def test_only_its_municipalitys_editor_deletes(world, who, error):
    w = world
    p = new_programme(w)
    with pytest.raises(error):
        drafts.delete_draft(w.session, p, getattr(w, who), now=w.clock.tick())
    assert w.session.get(Programme, p.id) is not None
