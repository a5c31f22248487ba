"""Campaign use cases: set-up while a draft, the circular, opening, closing, and the rules a
municipality's programmes obey inside a campaign. Flask-free; each function runs in the
caller's transaction and raises a typed `WorkflowError` (Russian message) having written
nothing the caller will commit.

One module per concern; this package exposes their public names so callers keep writing
`campaigns.create_campaign(...)`:

- `conditions`: the draft's conditions and participants (create, edit, reminder days);
- `requirements`: the draft's numbered requirements;
- `circular`: the circular letter that announces the campaign;
- `lifecycle`: open (by the signed circular), close, cancel;
- `participation`: who takes part, which campaigns a user sees;
- `programmes`: the rules programmes obey inside a campaign;
- `rules`: what every use case checks first (manager, lock and state, today).

The lifecycle itself is the table in `campaign_machine.py`.
"""

from .circular import circular_body, circular_heading, draft_circular_of, prepare_circular
from .conditions import (
    DEFAULT_REMINDER_DAYS,
    MAX_LEGAL_BASIS,
    MAX_PROGRAMMES_LIMIT,
    MAX_TITLE,
    CampaignSetup,
    create_campaign,
    edit_campaign,
    parse_reminder_days,
    reminder_days,
)
from .lifecycle import (
    MAX_REASON,
    all_decided,
    cancel_campaign,
    close_campaign,
    on_circular_signed,
    open_campaign,
)
from .participation import (
    get_visible,
    participant_count,
    participants,
    participants_select,
    takes_part_filter,
    visible_campaigns_filter,
)
from .programmes import (
    ensure_may_start_programme,
    ensure_programmes_editable,
    programme_removed,
    programme_started,
)
from .requirements import (
    MAX_REQUIREMENT,
    MAX_REQUIREMENTS,
    add_requirement,
    delete_requirement,
    edit_requirement,
    move_requirement,
)
from .rules import may_manage

__all__ = [
    "DEFAULT_REMINDER_DAYS",
    "MAX_LEGAL_BASIS",
    "MAX_PROGRAMMES_LIMIT",
    "MAX_REASON",
    "MAX_REQUIREMENT",
    "MAX_REQUIREMENTS",
    "MAX_TITLE",
    "CampaignSetup",
    "add_requirement",
    "all_decided",
    "cancel_campaign",
    "circular_body",
    "circular_heading",
    "close_campaign",
    "create_campaign",
    "delete_requirement",
    "draft_circular_of",
    "edit_campaign",
    "edit_requirement",
    "ensure_may_start_programme",
    "ensure_programmes_editable",
    "get_visible",
    "may_manage",
    "move_requirement",
    "on_circular_signed",
    "open_campaign",
    "parse_reminder_days",
    "participant_count",
    "participants",
    "participants_select",
    "prepare_circular",
    "programme_removed",
    "programme_started",
    "reminder_days",
    "takes_part_filter",
    "visible_campaigns_filter",
]
