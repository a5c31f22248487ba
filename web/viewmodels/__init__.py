"""Read models of the screens, one module per page, each loading what its page shows in a
fixed number of statements whatever the amount of data:

- `home`: the municipality's home page;
- `queue`: the reviewers' queue and the list of programmes;
- `programme`: the programme page;
- `formatting`: dates, plurals and labels, shared by the pages and the templates.

The names are re-exported here: the blueprints use `viewmodels.<name>`."""

from .common import open_external_count
from .formatting import (
    OTHER_TRIGGER_LABELS,
    fmt_date,
    fmt_datetime,
    local_today,
    plural,
    plural_word,
    state_label,
    trigger_label,
)
from .home import CampaignGroup, EditorRow, editor_home, next_step_for_editor
from .programme import (
    ProgrammePage,
    RemarkView,
    SectionView,
    choose_revision,
    default_revision,
    last_change,
    load_programme,
    programme_page,
)
from .queue import TABS, ListRow, NamedRef, ProgrammeList, ProgrammeRow, programme_list

__all__ = [
    "OTHER_TRIGGER_LABELS", "TABS", "CampaignGroup", "EditorRow", "ListRow", "NamedRef",
    "ProgrammeList", "ProgrammePage", "ProgrammeRow", "RemarkView", "SectionView",
    "choose_revision", "default_revision", "editor_home", "fmt_date", "fmt_datetime",
    "last_change", "load_programme", "local_today", "next_step_for_editor",
    "open_external_count", "plural", "plural_word", "programme_list", "programme_page",
    "state_label", "trigger_label",
]
