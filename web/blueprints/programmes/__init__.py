"""Programme screens, one module per capability, all on the one `programmes` blueprint (so
every URL and endpoint name, `programmes.show` and the rest, stays as it was):

- `listing`: the list of programmes;
- `editing`: creating a draft and editing the working copy;
- `attachments`: the files of the working copy and of the revisions;
- `page`: the programme page (and its re-rendering when a form of it is refused);
- `posting`: a form posted from the page, run in one unit of work (`_submit`);
- `transitions`: the workflow actions (submit, return, approve...);
- `remarks`: the review: remarks, replies, assessments.

Every handler parses a form and calls one domain operation in the unit of work (web/work.py),
which commits once, then redirects. A domain error rolls everything back and re-renders the
same page with the message and with what the user typed, so nothing is lost.
"""

from __future__ import annotations

from . import (  # noqa: F401 (each module adds its routes to `bp`)
    attachments,
    editing,
    listing,
    page,
    remarks,
    transitions,
)
from .common import bp, check_form
from .page import _failed
from .posting import _submit

__all__ = ["_failed", "_submit", "bp", "check_form"]
