"""Outgoing letters, one module per capability, all on the one `letters` blueprint (so every
URL and endpoint name, `letters.show` and the rest, stays as it was):

- `journal`: the registration journal and its filters; `journal_csv`: its CSV export;
- `letter_page`: one letter's page and its signed PDF; `preview`: the draft's print layout;
- `drafting`: editing a draft; `signing`: signing and producing the PDF again;
- `dispatch_cancel`: marking a letter sent, cancelling a draft;
- `campaign_letters`: a campaign's circular and reminders;
- `profile`: the organisation profile printed on the letterhead.

Handlers parse, check, call one operation in one unit of work (`web.screen_work`) and
respond. Rendering and signing the PDF is a job enqueued after the commit (`web.jobs.letters`,
the one owner): the page shows "PDF формируется" and refreshes itself until the PDF is there;
when the job fails the letter stays registered and signed, and the page offers to render it
again.
"""

from __future__ import annotations

from . import (  # noqa: F401 (each module adds its routes to `bp`)
    campaign_letters,
    dispatch_cancel,
    drafting,
    journal,
    journal_csv,
    letter_page,
    preview,
    profile,
    signing,
)
from .common import bp

__all__ = ["bp"]
