"""Flask-WTF forms of the screens. Every form carries the CSRF token; forms that act on a
programme carry the `version` the user saw, so a stale page is caught by the domain."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
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
    StopValidation,
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
from workflow.text import describe, forbidden_character

REQUIRED = _l("Заполните это поле")


def plain_text(form, field) -> None:
    """The domain's text rule (`workflow.text`) as a field error: NUL, control characters,
    bidi overrides and isolates, surrogates and noncharacters are refused, named, beside the
    field that holds them. Line breaks and tabs are text."""
    if isinstance(field.data, str):
        char = forbidden_character(field.data)
        if char is not None:
            raise StopValidation(gettext(
                "Поле «%(label)s» содержит недопустимый символ %(char)s: управляющие символы "
                "и символы смены направления текста не допускаются",
                label=field.label.text if field.label else field.name, char=describe(char)))


class SafeForm(FlaskForm):
    """Every form of the screens: each text field (text, text area, hidden) follows the
    plain-text rule before its own validators. Passwords are never stored as text."""

    def validate(self, extra_validators=None):
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for field in self:
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                extra.setdefault(field.name, []).insert(0, plain_text)
        return super().validate(extra)


class VersionedForm(SafeForm):
    version = HiddenField(validators=[InputRequired(_l("Форма устарела: обновите страницу"))])

    def seen_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class ProgrammeForm(VersionedForm):
    title = StringField(
        _l("Название программы"),
        validators=[DataRequired(_l("Укажите название программы")), Length(max=MAX_TITLE)],
    )
    period_from = IntegerField(
        _l("Год начала"),
        validators=[InputRequired(_l("Укажите год начала")),
                    NumberRange(2000, 2100, _l("Год от 2000 до 2100"))],
    )
    period_to = IntegerField(
        _l("Год окончания"),
        validators=[InputRequired(_l("Укажите год окончания")),
                    NumberRange(2000, 2100, _l("Год от 2000 до 2100"))],
    )
    responsible_name = StringField(_l("ФИО ответственного"), validators=[Length(max=200)])
    responsible_position = StringField(_l("Должность"), validators=[Length(max=300)])
    responsible_phone = StringField(_l("Телефон"), validators=[Length(max=100)])
    outgoing_number = StringField(_l("Исходящий номер письма муниципалитета"),
                                  validators=[Length(max=50)])
    outgoing_date = DateField(_l("Дата исходящего письма"), validators=[Optional()])

    def section_fields(self):
        return [f for f in self if f.name.startswith("section_")]

    def sections(self) -> dict[int, str]:
        return {int(f.name.removeprefix("section_")): f.data or "" for f in self.section_fields()}


def programme_form_class(requirements) -> type[ProgrammeForm]:
    """A ProgrammeForm with one textarea per requirement of the campaign."""
    attrs = {
        f"section_{r.id}": TextAreaField(
            _l("Требование %(position)s", position=r.position),
            validators=[Length(max=MAX_SECTION,
                               message=_l("Раздел длиннее %(limit)s символов",
                                          limit=MAX_SECTION))],
        )
        for r in requirements
    }
    return type("CampaignProgrammeForm", (ProgrammeForm,), attrs)


class AttachmentForm(VersionedForm):
    file = FileField(_l("Файл программы (PDF, DOCX или ODT)"))


class ActionForm(VersionedForm):
    reason = TextAreaField(_l("Причина"), validators=[Length(max=MAX_REASON)])


class RemarkForm(SafeForm):
    requirement_id = HiddenField(validators=[InputRequired()])
    visibility = RadioField(
        _l("Кому видно"),
        choices=[SelectChoice(v.value, _l(REMARK_VISIBILITY_LABELS[v])) for v in RemarkVisibility],
        default=RemarkVisibility.EXTERNAL.value,
        validators=[InputRequired(_l("Укажите, кому видно замечание"))],
    )
    body = TextAreaField(_l("Замечание"), validators=[DataRequired(_l("Введите текст замечания")),
                                                  Length(max=MAX_TEXT)])


class ReplyForm(SafeForm):
    body = TextAreaField(_l("Текст"), validators=[Length(max=MAX_TEXT)])


class AssessmentForm(SafeForm):
    verdict = RadioField(
        _l("Оценка"),
        choices=[SelectChoice(v.value, _l(VERDICT_LABELS[v])) for v in Verdict],
        validators=[InputRequired(_l("Выберите оценку"))],
    )
    comment = TextAreaField(_l("Комментарий"), validators=[Length(max=MAX_TEXT)])


# ---------------------------------------------------------------- admin

ROLE_CHOICES = [SelectChoice(r.value, _l(ROLE_LABELS[r])) for r in Role]


class UserCreateForm(SafeForm):
    login = StringField(_l("Логин"), validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField(_l("ФИО"), validators=[DataRequired(REQUIRED), Length(max=200)])
    position = StringField(_l("Должность"), validators=[Length(max=300)])
    phone = StringField(_l("Телефон"), validators=[Length(max=100)])
    email = StringField(_l("Электронная почта"),
                        validators=[Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Неверный адрес почты")),
                                    Length(max=200)])
    role = SelectField(_l("Роль"), choices=ROLE_CHOICES)
    municipality = SelectField(_l("Муниципалитет (для специалиста муниципалитета)"), choices=[])
    password = PasswordField(_l("Начальный пароль"), validators=[DataRequired(REQUIRED),
                                                              Length(max=200)])


class UserRoleForm(SafeForm):
    role = SelectField(_l("Роль"), choices=ROLE_CHOICES)
    municipality = SelectField(_l("Муниципалитет"), choices=[])


class PasswordForm(SafeForm):
    password = PasswordField(_l("Новый пароль"), validators=[DataRequired(REQUIRED), Length(max=200)])


class SimplePostForm(SafeForm):
    """A button that only needs the CSRF token."""


class CertificateUploadForm(FlaskForm):
    """A signatory's PKCS#12, and its PIN typed once (by the signatory, present) to prove it
    opens; the PIN is not stored."""

    pkcs12 = FileField(_l("Контейнер ключа и сертификата (PKCS#12: .p12, .pfx)"))
    pin = PasswordField(_l("PIN-код контейнера"),
                        validators=[DataRequired(REQUIRED), Length(max=200)],
                        render_kw={"autocomplete": "off"})


class DemoCertificateForm(FlaskForm):
    pin = PasswordField(_l("PIN-код нового ключа (пусто — сгенерировать)"),
                        validators=[Optional(), Length(min=6, max=200)],
                        render_kw={"autocomplete": "off"})


class MunicipalityForm(SafeForm):
    code = StringField(_l("Код (латиницей)"), validators=[DataRequired(REQUIRED), Length(max=64)])
    name = StringField(_l("Наименование"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = StringField(_l("Вид муниципального образования"), validators=[Length(max=100)])
    name_genitive = StringField(_l("Наименование в родительном падеже (кого? чего?)"),
                                validators=[Length(max=200)])
    name_dative = StringField(_l("Наименование в дательном падеже (кому? чему?)"),
                              validators=[Length(max=200)])
    name_prepositional = StringField(_l("Наименование в предложном падеже (в ком? в чём?)"),
                                     validators=[Length(max=200)])
    authority_name = StringField(_l("Орган управления образованием (полное наименование)"),
                                 validators=[Length(max=300)])
    authority_name_dative = StringField(_l("Орган управления образованием в дательном падеже"),
                                        validators=[Length(max=300)])
    head_position = StringField(_l("Должность руководителя"), validators=[Length(max=300)])
    head_position_dative = StringField(_l("Должность руководителя в дательном падеже (кому?)"),
                                       validators=[Length(max=300)])
    head_surname = StringField(_l("Фамилия руководителя"), validators=[Length(max=100)])
    head_first_name = StringField(_l("Имя руководителя"), validators=[Length(max=100)])
    head_patronymic = StringField(_l("Отчество руководителя"), validators=[Length(max=100)])

    email = StringField(_l("Официальная электронная почта"), validators=[Length(max=200)])
    address = StringField(_l("Почтовый адрес"), validators=[Length(max=300)])

    REFERENCE = ("name_genitive", "name_dative", "name_prepositional", "authority_name",
                 "authority_name_dative", "head_position", "head_position_dative",
                 "head_surname", "head_first_name", "head_patronymic", "email", "address")

    def reference_data(self) -> dict[str, str]:
        return {key: self._fields[key].data or "" for key in self.REFERENCE}
