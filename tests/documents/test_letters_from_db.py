"""Letters drafted by the engine, registered, rendered and signed, read back from the PDF:
local dates on the head and the mark, the addressee in the dative, the reply reference only on
replies, typographic quotes, and a return letter of bounded length."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from documents.issue import render_letter
from documents.signing import Pkcs12Signer
from tests.documents.conftest import column_text, parse_pdf
from tests.factories import SIGNING_PIN, demo_pkcs12, programme_in
from tests.workflow.support import letters_of
from workflow import letter_drafting, letter_registration, operations, review
from workflow.models import Letter
from workflow.states import LetterKind, ProgrammeState, RemarkVisibility

# 15:13 UTC on 30 November is 01:13 on 1 December in Vladivostok (UTC+10).
LATE_EVENING_UTC = datetime(2026, 11, 30, 15, 13, tzinfo=UTC)


def _issue(world, session_factory, signer, letter, now=LATE_EVENING_UTC):
    # The signatory's own key (the one sign_letter records), not the session-wide signer.
    letter_registration.sign_letter(world.session, letter, world.signatory, now=now, pin=SIGNING_PIN,
                                    sealer=None)
    world.session.commit()
    own_key = Pkcs12Signer.from_bytes(demo_pkcs12(world.signatory.full_name, SIGNING_PIN),
                                     SIGNING_PIN)
    assert render_letter(session_factory, letter.id, own_key)
    world.session.expire_all()
    return world.session.get(Letter, letter.id).pdf


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_a_letter_signed_late_in_utc_carries_the_local_date_everywhere(
        world, session_factory, signer):
    p = programme_in(world, ProgrammeState.DECISION_PENDING,
                     title='Программа "Шаг в профессию" в Артёмовском городском округе')
    (letter,) = letters_of(world.session, p.id)
    data = _issue(world, session_factory, signer, letter)
    pdf = parse_pdf(data)
    left = _flat(column_text(data, 0, left=True))
    right = _flat(column_text(data, 0, left=False))
    assert "01.12.2026 № 23/1" in left
    # A reply: the municipality's letter is referred to.
    assert "На № 01-12/345 от 20.02.2026" in left
    assert ("Начальнику управления образования администрации Артёмовского городского округа "
            "И.П. Ивановой") in right
    text = _flat(pdf.text)
    assert "Уважаемая Ирина Петровна!" in text
    assert "Подписан: 01.12.2026 01:13 (UTC+10)" in text
    assert "(UTC)" not in text
    # Straight quotes typed in a title are printed as «ёлочки».
    assert "«Шаг в профессию»" in text and '"' not in text


def test_a_reminder_answers_nothing_and_prints_no_reply_line(world, session_factory, signer):
    drafted = letter_drafting.draft_reminders(world.session, world.campaign, world.reviewer,
                                              now=LATE_EVENING_UTC)
    reminder = next(x for x in drafted if x.municipality_id == world.own.id)
    data = _issue(world, session_factory, signer, reminder)
    left = _flat(column_text(data, 0, left=True))
    assert "01.12.2026 № 23/1" in left
    assert "На №" not in left
    text = _flat(parse_pdf(data).text)
    assert "По состоянию на 01.12.2026 программа Артёмовского городского округа" in text


def test_the_return_letter_renders_bounded_with_a_link_to_the_rest(world, session_factory, signer):
    w = world
    p = programme_in(w, ProgrammeState.IN_REVIEW)
    body = ("Раздел не содержит показателей результативности и сроков выполнения мероприятий "
            * 70)[:4990]
    for i in range(150):
        review.add_remark(w.session, p, w.reviewer,
                          requirement_id=w.campaign.requirements[i % 3].id,
                          body=f"{i + 1}. {body}", visibility=RemarkVisibility.EXTERNAL,
                          now=w.clock.tick())
    operations.return_for_revision(w.session, p, w.reviewer, now=w.clock.tick(),
                                   reason="Программа не отвечает требованиям")
    letter = w.session.scalars(select(Letter).where(Letter.kind == LetterKind.RETURN)).one()
    pdf = parse_pdf(_issue(world, session_factory, signer, letter))
    text = _flat(pdf.text)
    assert "И ещё 130 замечаний — полный перечень в системе согласования:" in text
    # The address is kept on one line, so it can be read (and typed) from the paper.
    assert re.search(rf"http://localhost/programmes/{p.id}\b", text)
    # 20 remarks of at most 600 characters: a handful of pages, not the 200 of the full text.
    assert len(pdf.texts) <= 12
    assert "ДОКУМЕНТ ПОДПИСАН" in pdf.texts[-1]
