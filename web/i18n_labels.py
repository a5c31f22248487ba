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

from .extensions import fast_gettext

# Labels built with a number inside; matched as a whole and translated with the number.
_PATTERNS = (
    (re.compile(r"^Ответьте на замечания \((\d+)\) и направьте программу повторно$"),
     lambda m: gettext("Ответьте на замечания (%(count)s) и направьте программу повторно",
                       count=m.group(1))),
    # Why an action is not available yet (the guards of workflow.machine).
    (re.compile(r"^Не заполнены разделы программы по требованиям № ([\d, ]+)$"),
     lambda m: gettext("Не заполнены разделы программы по требованиям № %(listed)s",
                       listed=m.group(1))),
    (re.compile(r"^Ответьте на все замечания министерства: без ответа осталось (\d+)$"),
     lambda m: gettext("Ответьте на все замечания министерства: без ответа осталось %(count)s",
                       count=m.group(1))),
    (re.compile(r"^Не все требования оценены как «Выполнено»: требования № ([\d, ]+)$"),
     lambda m: gettext("Не все требования оценены как «Выполнено»: требования № %(listed)s",
                       listed=m.group(1))),
    (re.compile(r"^Есть неснятые замечания \((\d+)\): снимите их перед согласованием$"),
     lambda m: gettext("Есть неснятые замечания (%(count)s): снимите их перед согласованием",
                       count=m.group(1))),
    # A route stage's participants (workflow.routes._participants).
    (re.compile(r"^Эксперт программы: (.+)$", re.S),
     lambda m: gettext("Эксперт программы: %(who)s", who=m.group(1))),
    (re.compile(r"^Роль: (.+)$", re.S),
     lambda m: gettext("Роль: %(role)s", role=tr(m.group(1)))),
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
