"""Flask-WTF forms of the screens. Every form carries the CSRF token; forms that act on a
programme carry the `version` the user saw, so a stale page is caught by the domain."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from workflow.operations import MAX_REASON, MAX_SECTION, MAX_TITLE
from workflow.review import MAX_TEXT
from workflow.states import (
    REMARK_VISIBILITY_LABELS,
    ROLE_LABELS,
    VERDICT_LABELS,
    RemarkVisibility,
    Role,
    Verdict,
)

REQUIRED = "Заполните это поле"


class VersionedForm(FlaskForm):
    version = HiddenField(validators=[InputRequired("Форма устарела: обновите страницу")])

    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class ProgrammeForm(VersionedForm):
    title = StringField(
        "Название программы",
        validators=[DataRequired("Укажите название программы"), Length(max=MAX_TITLE)],
    )
    period_from = IntegerField(
        "Год начала",
        validators=[InputRequired("Укажите год начала"),
                    NumberRange(2000, 2100, "Год от 2000 до 2100")],
    )
    period_to = IntegerField(
        "Год окончания",
        validators=[InputRequired("Укажите год окончания"),
                    NumberRange(2000, 2100, "Год от 2000 до 2100")],
    )
    responsible_name = StringField("ФИО ответственного", validators=[Length(max=200)])
    responsible_position = StringField("Должность", validators=[Length(max=300)])
    responsible_phone = StringField("Телефон", validators=[Length(max=100)])
    outgoing_number = StringField("Исходящий номер письма муниципалитета",
                                  validators=[Length(max=50)])
    outgoing_date = DateField("Дата исходящего письма", validators=[Optional()])

    def section_fields(self):
        return [f for f in self if f.name.startswith("section_")]

    def sections(self) -> dict[int, str]:
        return {int(f.name.removeprefix("section_")): f.data or "" for f in self.section_fields()}


def programme_form_class(requirements) -> type[ProgrammeForm]:
    """A ProgrammeForm with one textarea per requirement of the campaign."""
    attrs = {
        f"section_{r.id}": TextAreaField(
            f"Требование {r.position}",
            validators=[Length(max=MAX_SECTION,
                               message=f"Раздел длиннее {MAX_SECTION} символов")],
        )
        for r in requirements
    }
    return type("CampaignProgrammeForm", (ProgrammeForm,), attrs)


class AttachmentForm(VersionedForm):
    file = FileField("Файл программы (PDF, DOCX или ODT)")


class ActionForm(VersionedForm):
    reason = TextAreaField("Причина", validators=[Length(max=MAX_REASON)])


class RemarkForm(FlaskForm):
    requirement_id = HiddenField(validators=[InputRequired()])
    visibility = RadioField(
        "Кому видно",
        choices=[(v.value, REMARK_VISIBILITY_LABELS[v]) for v in RemarkVisibility],
        default=RemarkVisibility.EXTERNAL.value,
        validators=[InputRequired("Укажите, кому видно замечание")],
    )
    body = TextAreaField("Замечание", validators=[DataRequired("Введите текст замечания"),
                                                  Length(max=MAX_TEXT)])


class ReplyForm(FlaskForm):
    body = TextAreaField("Текст", validators=[Length(max=MAX_TEXT)])


class AssessmentForm(FlaskForm):
    verdict = RadioField(
        "Оценка",
        choices=[(v.value, VERDICT_LABELS[v]) for v in Verdict],
        validators=[InputRequired("Выберите оценку")],
    )
    comment = TextAreaField("Комментарий", validators=[Length(max=MAX_TEXT)])


# ---------------------------------------------------------------- admin

ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]


class UserCreateForm(FlaskForm):
    login = StringField("Логин", validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField("ФИО", validators=[DataRequired(REQUIRED), Length(max=200)])
    position = StringField("Должность", validators=[Length(max=300)])
    phone = StringField("Телефон", validators=[Length(max=100)])
    email = StringField("Электронная почта",
                        validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Неверный адрес почты"),
                                    Length(max=200)])
    role = SelectField("Роль", choices=ROLE_CHOICES)
    municipality = SelectField("Муниципалитет (для специалиста муниципалитета)", choices=[])
    password = PasswordField("Начальный пароль", validators=[DataRequired(REQUIRED),
                                                              Length(max=200)])


class UserRoleForm(FlaskForm):
    role = SelectField("Роль", choices=ROLE_CHOICES)
    municipality = SelectField("Муниципалитет", choices=[])


class PasswordForm(FlaskForm):
    password = PasswordField("Новый пароль", validators=[DataRequired(REQUIRED), Length(max=200)])


class SimplePostForm(FlaskForm):
    """A button that only needs the CSRF token."""


class MunicipalityForm(FlaskForm):
    code = StringField("Код (латиницей)", validators=[DataRequired(REQUIRED), Length(max=64)])
    name = StringField("Наименование", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = StringField("Вид муниципального образования", validators=[Length(max=100)])
    authority_name = StringField("Орган управления образованием", validators=[Length(max=300)])
    head_name = StringField("Руководитель (ФИО)", validators=[Length(max=200)])


class CampaignForm(FlaskForm):
    title = StringField("Название кампании", validators=[DataRequired(REQUIRED),
                                                         Length(max=300)])
    legal_basis = TextAreaField("Правовое основание", validators=[Length(max=5000)])
    deadline = DateField("Срок представления программ",
                         validators=[InputRequired("Укажите срок")])
    circular_number = StringField("Номер циркулярного письма", validators=[Length(max=50)])
    circular_date = DateField("Дата циркулярного письма", validators=[Optional()])
    requirements = TextAreaField("Требования (по одному в строке)",
                                 validators=[DataRequired("Укажите хотя бы одно требование"),
                                             Length(max=50_000)])


class FilterForm(FlaskForm):
    """Query-string filters of the lists (GET, so no CSRF)."""

    class Meta:
        csrf = False

    campaign = SelectField("Кампания", choices=[], validators=[Optional()])
    municipality = SelectField("Муниципалитет", choices=[], validators=[Optional()])
    state = SelectField("Состояние", choices=[], validators=[Optional()])
    active = BooleanField()
