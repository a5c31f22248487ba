"""The marker of labels the domain declares in Russian and the screens show translated.

`workflow` imports no Flask, so its labels (states, roles, verdicts, actions...) stay Russian
here; wrapping a literal in `N_` only marks it for `pybabel extract` (babel.cfg reads
`workflow/`), which puts it into the message catalogue where it is declared. The screens
translate it when they show it (`web.i18n_labels.tr`); letters, audit entries and error
messages keep the Russian value.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """A no-op: returns `message` unchanged; extraction finds it by this name."""
    return message
