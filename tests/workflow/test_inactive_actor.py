"""A switched-off user, or an editor of a switched-off municipality, is refused by the domain
itself (not only at sign-in): an old session or token that slipped through changes nothing."""

from __future__ import annotations

import pytest

from tests.factories import SIGNING_PIN, new_programme, programme_in
from tests.workflow.support import snapshot
from workflow import letter_dispatch, letter_registration, operations, programme_drafting
from workflow.errors import PermissionDenied
from workflow.models import Letter
from workflow.states import LetterState, ProgrammeState


def _switch_off_municipality(world):
    world.editor.municipality.active = False
    world.session.flush()


def _switch_off_user(user):
    def off(world):
        getattr(world, user).active = False
        world.session.flush()
    return off


EDITOR_ACTIONS = {
    "create": lambda w, p: programme_drafting.create_programme(
        w.session, w.campaign, w.editor, programme_drafting.DraftFields(
            title="Ещё одна", period_from=2026, period_to=2027), now=w.clock.tick()),
    "update_draft": lambda w, p: programme_drafting.update_draft(
        w.session, p, w.editor, now=w.clock.tick(),
        sections={w.campaign.requirements[0].id: "Новый текст"}),
    "submit": lambda w, p: operations.submit_programme(w.session, p, w.editor, now=w.clock.tick()),
    "withdraw": lambda w, p: operations.withdraw_programme(w.session, p, w.editor,
                                                           now=w.clock.tick(), reason="Нет"),
}


@pytest.mark.parametrize("switch_off", [_switch_off_municipality, _switch_off_user("editor")],
                         ids=["municipality_off", "editor_off"])
@pytest.mark.parametrize("action", sorted(EDITOR_ACTIONS))
def test_a_switched_off_editor_changes_nothing(world, switch_off, action):
    p = new_programme(world)
    before = snapshot(world.session, p.id)
    switch_off(world)
    with pytest.raises(PermissionDenied) as refused:
        EDITOR_ACTIONS[action](world, p)
    assert "отключ" in refused.value.message  # "отключена" / "отключён"
    assert snapshot(world.session, p.id) == before


def test_a_switched_off_reviewer_cannot_take_a_programme(world):
    p = programme_in(world, ProgrammeState.SUBMITTED)
    before = snapshot(world.session, p.id)
    world.reviewer.active = False
    with pytest.raises(PermissionDenied):
        operations.start_review(world.session, p, world.reviewer, now=world.clock.tick())
    assert snapshot(world.session, p.id) == before


def test_a_switched_off_signatory_cannot_sign_or_dispatch(world):
    # The approval proposed, its letter waiting for the signature.
    p = programme_in(world, ProgrammeState.DECISION_PENDING)
    letter = world.session.query(Letter).filter_by(programme_id=p.id).one()
    world.signatory.active = False
    with pytest.raises(PermissionDenied):
        letter_registration.sign_letter(world.session, letter, world.signatory, now=world.clock.tick(),
                        pin=SIGNING_PIN, sealer=None)
    assert letter.state == LetterState.DRAFT
    world.signatory.active = True
    letter_registration.sign_letter(world.session, letter, world.signatory, now=world.clock.tick(),
                                    pin=SIGNING_PIN, sealer=None)
    letter.pdf_sha256 = "0" * 64  # as if rendered (the PDF is not what this test is about)
    world.session.flush()
    world.signatory.active = False
    with pytest.raises(PermissionDenied):
        letter_dispatch.dispatch_letter(world.session, letter, world.signatory, now=world.clock.tick())
    assert letter.state == LetterState.SIGNED
