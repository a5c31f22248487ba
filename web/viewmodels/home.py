"""The municipality's home page: its programmes grouped by campaign, with what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.campaigns import visible_campaigns_filter
from workflow.i18n import N_
from workflow.models import Campaign, Programme, User
from workflow.programme_access import visible_programmes_filter
from workflow.states import ProgrammeState

from .common import open_external_count
from .formatting import local_today

S = ProgrammeState


def next_step_for_editor(programme: Programme, open_remarks: int) -> str:
    state = programme.state
    if state == S.DRAFT:
        return N_("Заполните разделы и направьте в министерство")
    if state == S.RETURNED:
        if open_remarks:
            return (f"Ответьте на замечания ({open_remarks}) и направьте программу повторно")
        return N_("Замечания отвечены: направьте программу повторно")
    if state == S.SUBMITTED:
        return N_("Ожидает рассмотрения в министерстве")
    if state in (S.IN_REVIEW, S.DECISION_PENDING):
        # Until the decision's letter is signed there is no decision for the municipality.
        return N_("На рассмотрении у эксперта министерства")
    if state == S.APPROVED:
        return N_("Согласована: действий не требуется")
    return N_("Действий не требуется")



@dataclass
class EditorRow:
    programme: Programme
    open_remarks: int
    next_step: str


@dataclass
class CampaignGroup:
    campaign: Campaign
    rows: list[EditorRow] = field(default_factory=list)
    deadline_passed: bool = False

    @property
    def is_open(self) -> bool:
        return self.campaign.state == "open"

    @property
    def may_start(self) -> bool:
        """The button «Создать программу»: open, and the allowance not used up."""
        limit = self.campaign.max_programmes
        counted = sum(1 for r in self.rows if r.programme.state != S.WITHDRAWN)
        return self.is_open and (limit is None or counted < limit)

    @property
    def next_step(self) -> str:
        """What the municipality is expected to do next in this campaign, in one line."""
        if self.campaign.state != "open":
            return N_("Кампания завершена: программы доступны только для просмотра")
        live = [r for r in self.rows if r.programme.state != S.WITHDRAWN]
        if not live:
            return (N_("Срок истёк: начните программу и направьте её как можно скорее")
                    if self.deadline_passed else N_("Начните программу и направьте её до срока"))
        for row in live:
            if row.programme.state in (S.DRAFT, S.RETURNED):
                return row.next_step
        return live[0].next_step


def editor_home(session: Session, actor: User, now: datetime) -> list[CampaignGroup]:
    campaigns = session.scalars(select(Campaign).where(visible_campaigns_filter(actor))
                                .order_by(Campaign.deadline.desc(), Campaign.id))
    today = local_today(now)
    groups = {c.id: CampaignGroup(c, deadline_passed=c.deadline < today) for c in campaigns}
    rows = session.execute(
        select(Programme, open_external_count())
        .where(visible_programmes_filter(actor))
        .order_by(Programme.updated_at.desc(), Programme.id.desc())
    ).all()
    for programme, open_count in rows:
        group = groups.get(programme.campaign_id)
        if group is not None:
            group.rows.append(EditorRow(programme, open_count,
                                        next_step_for_editor(programme, open_count)))
    return list(groups.values())
