"""Flask-WTF forms of the screens. Every form carries the CSRF token; forms that act on a
programme or change a letter carry the `version` the user saw (`VersionedForm`, the one
versioned base), so a stale page is caught by the domain."""

from __future__ import annotations

from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
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
    ValidationError,
)

from workflow.letter_drafting import MAX_BODY
from workflow.operations import MAX_REASON
from workflow.programme_drafting import MAX_SECTION, MAX_TITLE
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
    """A form that changes something versioned (a programme, a letter): the version the
    user saw travels with it, and a form without it is refused."""

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
    """A programme's action button (submit, return, approve...), with its optional reason."""

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


# ---------------------------------------------------------------- outgoing letters


def _pin_field():
    return PasswordField(_l("PIN-код ключа электронной подписи"),
                         validators=[Length(max=200)], render_kw={"autocomplete": "off"})


class SignForm(VersionedForm):
    """Signing asks for the PIN of the signatory's own key, on the version they read."""

    pin = _pin_field()


class PinForm(SafeForm):
    """Producing the PDF of a registered letter again: the PIN only when the signing session
    has expired (the registered letter no longer changes, so no version)."""

    pin = _pin_field()


class LetterForm(VersionedForm):
    addressee = TextAreaField(_l("Адресат (каждая строка — отдельно)"),
                              validators=[DataRequired(_l("Укажите адресата")), Length(max=1000)])
    heading = TextAreaField(_l("Заголовок к тексту"),
                            validators=[DataRequired(_l("Укажите заголовок")), Length(max=500)])
    salutation = StringField(_l("Обращение"),
                             validators=[DataRequired(_l("Укажите обращение")), Length(max=200)])
    body = TextAreaField(_l("Текст письма (абзацы разделяйте пустой строкой)"),
                         validators=[DataRequired(_l("Введите текст письма")),
                                     Length(max=MAX_BODY)])


class CircularForm(SafeForm):
    heading = TextAreaField(_l("Заголовок к тексту"),
                            validators=[DataRequired(_l("Укажите заголовок")), Length(max=500)])
    salutation = StringField(_l("Обращение"), default="Уважаемые коллеги!",
                             validators=[DataRequired(_l("Укажите обращение")), Length(max=200)])
    body = TextAreaField(_l("Текст письма (абзацы разделяйте пустой строкой)"),
                         validators=[DataRequired(_l("Введите текст письма")),
                                     Length(max=MAX_BODY)])


# Russian time zones for the registration calendar (the date printed on a letter).
TIMEZONES = (
    ("Europe/Kaliningrad", _l("Калининград (UTC+2)")),
    ("Europe/Moscow", _l("Москва (UTC+3)")),
    ("Europe/Samara", _l("Самара (UTC+4)")),
    ("Asia/Yekaterinburg", _l("Екатеринбург (UTC+5)")),
    ("Asia/Omsk", _l("Омск (UTC+6)")),
    ("Asia/Novosibirsk", _l("Новосибирск (UTC+7)")),
    ("Asia/Krasnoyarsk", _l("Красноярск (UTC+7)")),
    ("Asia/Irkutsk", _l("Иркутск (UTC+8)")),
    ("Asia/Yakutsk", _l("Якутск (UTC+9)")),
    ("Asia/Vladivostok", _l("Владивосток (UTC+10)")),
    ("Asia/Magadan", _l("Магадан (UTC+11)")),
    ("Asia/Kamchatka", _l("Петропавловск-Камчатский (UTC+12)")),
)


def timezone_choices(current: str | None = None) -> list[SelectChoice]:
    """The zones offered; a zone saved earlier that is not in the list stays selectable."""
    pairs = list(TIMEZONES)
    if current and current not in dict(TIMEZONES):
        pairs.append((current, current))
    return [SelectChoice(value, label) for value, label in pairs]


class ProfileForm(SafeForm):
    """The organisation's requisites printed on the letterhead (workflow.organisation_profile)."""

    name = StringField(_l("Полное наименование организации"),
                       validators=[DataRequired(_l("Укажите наименование")), Length(max=300)])
    letterhead = TextAreaField(_l("Наименование на бланке (каждая строка — отдельно)"),
                               validators=[DataRequired(_l("Укажите строки бланка")), Length(max=1000)])
    address = StringField(_l("Почтовый адрес"),
                          validators=[DataRequired(_l("Укажите адрес")), Length(max=300)])
    phone = StringField(_l("Телефон"), validators=[DataRequired(_l("Укажите телефон")), Length(max=100)])
    email = StringField(_l("Электронная почта"),
                        validators=[DataRequired(_l("Укажите электронную почту")), Length(max=200),
                                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                           message=_l("Проверьте адрес электронной почты"))])
    emblem = FileField(_l("Герб (SVG, не более 200 КБ)"))
    remove_emblem = BooleanField(_l("Убрать загруженный герб (печатать стандартный)"))
    journal_index = StringField(
        _l("Индекс журнала регистрации"),
        validators=[DataRequired(_l("Укажите индекс журнала")), Length(max=20),
                    Regexp(r"^[0-9A-Za-zА-Яа-яЁё.\-]+$",
                           message=_l("Индекс: буквы, цифры, точка и дефис, без «/» и пробелов"))],
    )
    numbering = SelectField(_l("Нумерация"), choices=[
        SelectChoice("continuous", _l("Сквозная (номера не сбрасываются)")),
        SelectChoice("yearly", _l("С начала каждого календарного года")),
    ])
    public_base_url = StringField(_l("Адрес сайта для проверки писем (QR-код)"),
                                  validators=[DataRequired(_l("Укажите адрес")), Length(max=300)])
    timezone = SelectField(_l("Часовой пояс даты регистрации"), choices=timezone_choices())

    def validate_public_base_url(self, field):
        parts = urlsplit((field.data or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValidationError(gettext("Укажите адрес вида https://letters.example.ru"))

    def validate_timezone(self, field):
        try:
            ZoneInfo(field.data or "")
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValidationError(gettext("Неизвестный часовой пояс")) from error
