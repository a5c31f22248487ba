"""One demo programme played through the real operations to the state its scenario names
(a draft, submitted, in review, at the visas or the signature, returned, answered,
resubmitted, signed, withdrawn)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import operations, programme_drafting, review
from ..models import Letter, Programme, Remark
from ..states import RemarkVisibility, Verdict
from .route import visas
from .texts import ANSWERS, HEADS, REMARKS, sections


def play(session, clock, rng, campaign, muni, editor, reviewers, sign, scenario, heads):
    reviewer = reviewers[rng.randrange(2)]
    fields = programme_drafting.DraftFields(
        title=f"Программа профориентационной работы в {muni.name_prepositional}",
        period_from=2022, period_to=2025,
        responsible_name=rng.choice(HEADS),
        responsible_position="Начальник отдела общего образования",
        responsible_phone=editor.phone,
        outgoing_number=f"{rng.randint(100, 999)}-01-{rng.randint(10, 40)}",
        outgoing_date=(clock.now + timedelta(days=1)).date(),
    )
    partial = 3 if scenario == "draft_partial" else None
    programme = programme_drafting.create_programme(
        session, campaign, editor, fields, now=clock.tick(rng.uniform(1, 30)),
        sections=sections(campaign, muni, rng, partial),
    )
    if scenario.startswith("draft"):
        return
    if scenario == "withdrawn":
        operations.submit_programme(session, programme, editor, now=clock.tick(3))
        operations.withdraw_programme(session, programme, editor, now=clock.tick(20),
                                      reason="Программа будет переработана с учётом новой редакции муниципального плана")
        return
    operations.submit_programme(session, programme, editor, now=clock.tick(2))
    if scenario == "submitted":
        return
    operations.start_review(session, programme, reviewer, now=clock.tick(20))
    now = clock.tick(4)
    if scenario.startswith(("approved", "at_")):
        for req in campaign.requirements:
            review.assess_requirement(session, programme, reviewer, requirement_id=req.id,
                                      verdict=Verdict.MET, comment="", now=now)
        # A proposal: it travels the route and takes effect with the signature.
        operations.approve_programme(session, programme, reviewer, now=clock.tick(1))
        if scenario == "at_visas":
            return
        visas(session, programme, heads, clock, upto=1 if scenario == "at_one_visa" else 2,
               remarks_first=scenario in ("at_one_visa", "approved_signed"))
        if scenario == "approved_signed":
            letter = latest_letter(session, programme)
            sign(letter, clock.tick(6))
        return
    chosen = rng.sample(REMARKS, 2)
    for i, req in enumerate(campaign.requirements):
        flagged = any(idx == i for idx, _ in chosen)
        review.assess_requirement(
            session, programme, reviewer, requirement_id=req.id,
            verdict=Verdict.PARTLY if flagged else Verdict.MET,
            comment="См. замечание" if flagged else "", now=now,
        )
    for idx, text in chosen:
        review.add_remark(session, programme, reviewer, requirement_id=campaign.requirements[idx].id,
                          body=text, visibility=RemarkVisibility.EXTERNAL, now=clock.tick(0.5))
    review.add_remark(session, programme, reviewer, requirement_id=campaign.requirements[0].id,
                      body="Сравнить с программой прошлого года: объём финансирования снижен.",
                      visibility=RemarkVisibility.INTERNAL, now=clock.tick(0.5))
    if scenario == "in_review":
        return
    operations.return_for_revision(session, programme, reviewer, now=clock.tick(2),
                                   reason="Программа не в полной мере отвечает требованиям письма")
    visas(session, programme, heads, clock)
    sign(latest_letter(session, programme), clock.tick(5))
    if scenario == "returned":
        return
    external = session.scalars(select(Remark).where(
        Remark.programme_id == programme.id, Remark.visibility == RemarkVisibility.EXTERNAL)).all()
    for remark in external:
        answer = ANSWERS[[t for _, t in REMARKS].index(remark.body)]
        review.answer_remark(session, programme, remark, editor, body=answer, now=clock.tick(3))
    if scenario == "returned_answered":
        return
    edited = {r.id: s + " Раздел дополнен по замечаниям министерства." for r, s in zip(
        campaign.requirements, [programme.section_for(r.id).text for r in campaign.requirements],
        strict=True) if any(campaign.requirements[idx].id == r.id for idx, _ in chosen)}
    programme_drafting.update_draft(session, programme, editor, now=clock.tick(1), sections=edited)
    operations.resubmit_programme(session, programme, editor, now=clock.tick(1))


def latest_letter(session, programme: Programme):
    return session.scalars(select(Letter).where(Letter.programme_id == programme.id)
                           .order_by(Letter.id.desc())).first()
