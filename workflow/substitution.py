"""Who may act for whom: an absent user's tasks go to their substitute for the period.

`principals(session, actor, now)` is the list of user ids on whose behalf `actor` may act at
`now`: always the actor, plus everyone who is absent and named the actor as substitute. The
route engine and signing ask this module and nothing else.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session


def principals(session: Session, actor, now: datetime) -> list[int]:
    # Absences arrive with the substitution work; until then a user acts only for themselves.
    return [actor.id]
