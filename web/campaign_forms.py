"""Forms of the campaign set-up screens (web/blueprints/campaigns_admin.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from workflow.campaigns import MAX_PROGRAMMES_LIMIT, CampaignSetup

from .forms import REQUIRED, SafeForm


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):  # unknown ids are the domain's to refuse, in Russian
        pass


class CampaignSetupForm(SafeForm):
    title = StringField(_l("Название кампании"), validators=[DataRequired(REQUIRED),
                                                         Length(max=300)])
    legal_basis = TextAreaField(_l("Правовое основание"), validators=[Length(max=5000)])
    deadline = DateField(_l("Срок представления программ"),
                         validators=[InputRequired(_l("Укажите срок"))])
    programmes = RadioField(_l("Сколько программ может представить муниципалитет"),
                            choices=[SelectChoice("one", _l("Одну")),
                                     SelectChoice("several", _l("Несколько, с разными названиями"))],
                            default="one", validators=[Optional()])
    max_programmes = IntegerField(
        _l("Не больше (для нескольких; пусто — без ограничения)"),
        validators=[Optional(), NumberRange(min=2, max=MAX_PROGRAMMES_LIMIT,
                                            message=_l("От 2 до %(max)s", max=MAX_PROGRAMMES_LIMIT))])
    reminder_days = StringField(_l("Напоминать за столько дней до срока (через запятую)"),
                                default="7,1", validators=[Length(max=50)])
    participants = RadioField(_l("Участники"),
                              choices=[SelectChoice("all", _l("Все муниципалитеты")),
                                       SelectChoice("selected", _l("Только отмеченные"))],
                              default="all", validators=[Optional()])
    municipalities = CheckboxList(_l("Муниципалитеты"), coerce=int, validators=[Optional()])

    def setup(self) -> CampaignSetup:
        several = self.programmes.data == "several"
        return CampaignSetup(
            title=self.title.data or "", deadline=self.deadline.data,
            legal_basis=self.legal_basis.data or "",
            max_programmes=(self.max_programmes.data if several else 1),
            reminder_days=self.reminder_days.data or "",
            municipality_ids=(list(self.municipalities.data or [])
                              if self.participants.data == "selected" else None),
        )


class NewCampaignForm(CampaignSetupForm):
    requirements = TextAreaField(
        _l("Требования (по одному в строке)"),
        validators=[DataRequired(_l("Укажите хотя бы одно требование")), Length(max=50_000)])


class RequirementForm(SafeForm):
    text = TextAreaField(_l("Текст требования"), validators=[DataRequired(REQUIRED),
                                                          Length(max=5000)])


class ReasonForm(SafeForm):
    reason = TextAreaField(_l("Причина"), validators=[Length(max=2000)])
