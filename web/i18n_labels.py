"""Translation of the labels that `workflow` defines in Russian without importing Flask.

`workflow.states`, `workflow.machine`, `web.viewmodels` and the like hold Russian labels
(states, roles, verdicts, actions, queue tabs, "what next" hints), each marked where it is
declared with the no-op `workflow.i18n.N_`, so `pybabel extract` (babel.cfg reads
`workflow/` and `web/`) puts it into the catalogue. The screens pass a label through `tr`,
which looks it up in the catalogue of the current language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from flask_babel import gettext

from workflow.i18n import N_

from .extensions import fast_gettext, request_locale

# The language of every msgid: its catalogue would map each label to itself.
SOURCE_LANGUAGE = "ru"


def _with_a_value(message: str, value=lambda v: v):
    """A label the domain writes with one value in it (`message`, its `%(name)s` the value):
    matched as written, translated with the value put in (through `value`, for a value that
    is itself a label)."""
    name = re.search(r"%\((\w+)\)s", message).group(1)
    before, after = message.split(f"%({name})s")
    pattern = re.compile(f"^{re.escape(before)}(.+){re.escape(after)}$", re.S)
    return pattern, lambda match: gettext(message, **{name: value(match.group(1))})


# Labels with a value inside, each marked for the catalogue where it is listed here.
_PATTERNS = (
    _with_a_value(N_("Ответьте на замечания (%(count)s) и направьте программу повторно")),
    # Why an action is not available yet (the guards of workflow.machine).
    _with_a_value(N_("Не заполнены разделы программы по требованиям № %(listed)s")),
    _with_a_value(N_("Ответьте на все замечания министерства: без ответа осталось %(count)s")),
    _with_a_value(N_("Не все требования оценены как «Выполнено»: требования № %(listed)s")),
    _with_a_value(N_("Есть неснятые замечания (%(count)s): снимите их перед согласованием")),
    # A route stage's participants (workflow.routes._participants).
    _with_a_value(N_("Эксперт программы: %(who)s")),
    _with_a_value(N_("Роль: %(role)s"), value=lambda role: tr(role)),
)


def tr(value):
    """The label in the current language: its catalogue translation, or itself. In Russian,
    the language every label is written in, itself at once (no catalogue, no patterns)."""
    if not isinstance(value, str) or not value or request_locale() == SOURCE_LANGUAGE:
        return value
    translated = fast_gettext(value)
    if translated == value:
        for pattern, render in _PATTERNS:
            match = pattern.match(value)
            if match:
                return render(match)
    return translated


def translate(message: str, **params) -> str:
    """A message written in Russian (`%(name)s` for its values) in the current language, for
    code outside `web` that takes a translate function (documents.route_diagram)."""
    text = tr(message)
    return text % params if params else text


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
