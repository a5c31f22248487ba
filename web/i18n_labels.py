"""Translation of the labels that `workflow` defines in Russian without importing Flask.

`workflow.states`, `workflow.machine` and `web.viewmodels` hold Russian labels (states,
roles, verdicts, actions, queue tabs, "what next" hints). The screens pass them through
`tr`, which looks them up in the message catalogue; the `N_` markers below only list them
so that `pybabel extract` puts them into the catalogue. Keep this list in step with those
modules (tests/i18n checks that every label has a translation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from flask_babel import gettext

from .extensions import fast_gettext


def N_(message: str) -> str:
    """A no-op marker: extracted by pybabel, translated later with `tr`."""
    return message


# workflow.states.ROLE_LABELS
ROLE = (
    N_("Специалист муниципалитета"),
    N_("Эксперт министерства"),
    N_("Подписант"),
    N_("Администратор"),
)

# workflow.states.PROGRAMME_STATE_LABELS
PROGRAMME_STATE = (
    N_("Черновик"),
    N_("Направлена в министерство"),
    N_("На рассмотрении"),
    N_("На согласовании решения"),
    N_("Возвращена на доработку"),
    N_("Согласована"),
    N_("Отозвана"),
)

# workflow.states.REMARK_VISIBILITY_LABELS
REMARK_VISIBILITY = (
    N_("Для муниципалитета"),
    N_("Внутреннее (только министерство)"),
)

# workflow.states.REMARK_STATE_LABELS
REMARK_STATE = (
    N_("Открыто"),
    N_("Дан ответ"),
    N_("Снято"),
)

# workflow.states.VERDICT_LABELS
VERDICT = (
    N_("Выполнено"),
    N_("Выполнено частично"),
    N_("Не выполнено"),
)

# workflow.states.LETTER_KIND_LABELS
LETTER_KIND = (
    N_("О согласовании программы"),
    N_("О возврате программы на доработку"),
    N_("Циркулярное письмо"),
    N_("Напоминание о сроке"),
)

# workflow.states.LETTER_STATE_LABELS
LETTER_STATE = (
    N_("Проект"),
    N_("Подписано"),
    N_("Отправлено"),
    N_("Аннулировано"),
)

# workflow.machine.PROGRAMME_TRANSITIONS labels (action buttons, history)
TRANSITION = (
    N_("Направить в министерство"),
    N_("Отозвать программу"),
    N_("Взять на рассмотрение"),
    N_("Вернуть на доработку"),
    N_("Направить повторно"),
    N_("Согласовать"),
    N_("Решение о согласовании подписано"),
    N_("Решение о возврате подписано"),
    N_("Решение не согласовано: программа возвращена эксперту"),
)

# workflow.states: route stage kinds, modes, refusal targets, visa results
ROUTE = (
    N_("Экспертиза"),
    N_("Визирование"),
    N_("Подписание"),
    N_("Все участники"),
    N_("Любой из участников"),
    N_("Кворум"),
    N_("На предыдущий этап"),
    N_("Эксперту"),
    N_("Муниципалитету (возврат на доработку)"),
    N_("Согласовано"),
    N_("Согласовано с замечаниями"),
    N_("Не согласовано"),
    # web.blueprints.routes_admin.PARTICIPANT_LABELS
    N_("Роль"),
    N_("Названные пользователи"),
    N_("Эксперт программы"),
)

# web.viewmodels.TABS (the reviewers' queue)
QUEUE_TAB = (
    N_("Ожидают рассмотрения"),
    N_("Мои на рассмотрении"),
    N_("На доработке"),
    N_("Просроченные"),
    N_("Все"),
)

# web.viewmodels.next_step_for_editor
NEXT_STEP = (
    N_("Заполните разделы и направьте в министерство"),
    N_("Замечания отвечены: направьте программу повторно"),
    N_("Ожидает рассмотрения в министерстве"),
    N_("На рассмотрении у эксперта министерства"),
    N_("Согласована: действий не требуется"),
    N_("Действий не требуется"),
)

# workflow.campaign_status and workflow.search (the campaign page, its exports and the search)
CAMPAIGN = (
    N_("Не начата"),
    N_("В срок"),
    N_("С нарушением срока"),
    N_("Не направлена"),
    N_("Название программы"),
    N_("Раздел программы"),
    N_("Замечание"),
    N_("Срок истёк: создайте программу и направьте её в министерство как можно скорее"),
    N_("Создайте программу и направьте её в министерство до срока"),
    # web.viewmodels.CampaignGroup.next_step (the municipality's home page)
    N_("Кампания завершена: программы доступны только для просмотра"),
    N_("Срок истёк: начните программу и направьте её как можно скорее"),
    N_("Начните программу и направьте её до срока"),
    # workflow.campaign_machine.CAMPAIGN_STATE_LABELS
    N_("Подготовка"),
    N_("Идёт приём программ"),
    N_("Завершена"),
    N_("Отменена"),
    # workflow.campaign_machine.TASK_STATE_LABELS
    N_("Кампания не объявлена"),
    N_("Начата"),
    # workflow.campaign_machine.CAMPAIGN_TRANSITIONS labels
    N_("Объявить (подписано циркулярное письмо)"),
    N_("Завершить кампанию"),
    N_("Отменить подготовку"),
)

# workflow.reassignment.HISTORY_LABELS (the programme's history)
HISTORY = (
    N_("Передана другому эксперту"),
)

# workflow.notifications.PREFERENCE_LABELS (the notification settings)
NOTIFICATION_PREFERENCE = (
    N_("Сразу, каждое уведомление отдельным письмом"),
    N_("Раз в день, одной сводкой"),
    N_("Не присылать (только в системе)"),
)

# templates/base.html: the organisation's name from its settings, shown through gettext(org_name)
# (the demo ministry's name; another organisation's name is shown as entered)
ORGANISATION = (
    N_("Министерство образования Приморского края"),
)

# web.extensions: Flask-Login's message when a page needs a signed-in user
LOGIN_MESSAGE = N_("Войдите, чтобы продолжить")

ALL_LABELS = (ROLE + PROGRAMME_STATE + REMARK_VISIBILITY + REMARK_STATE + VERDICT
              + LETTER_KIND + LETTER_STATE + TRANSITION + ROUTE + QUEUE_TAB + NEXT_STEP + CAMPAIGN
              + HISTORY + NOTIFICATION_PREFERENCE + ORGANISATION + (LOGIN_MESSAGE,))

# Labels built with a number inside; matched as a whole and translated with the number.
_PATTERNS = (
    (re.compile(r"^Ответьте на замечания \((\d+)\) и направьте программу повторно$"),
     lambda m: gettext("Ответьте на замечания (%(count)s) и направьте программу повторно",
                       count=m.group(1))),
)


def tr(value):
    """The label in the current language: its catalogue translation, or itself."""
    if not isinstance(value, str) or not value:
        return value
    translated = fast_gettext(value)
    if translated == value:
        for pattern, render in _PATTERNS:
            match = pattern.match(value)
            if match:
                return render(match)
    return translated


class TranslatedLabels(Mapping):
    """A read-only view of a label dict whose values come out translated."""

    def __init__(self, labels: Mapping):
        self._labels = labels

    def __getitem__(self, key):
        return tr(self._labels[key])

    def __iter__(self) -> Iterator:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, key) -> bool:
        return key in self._labels
