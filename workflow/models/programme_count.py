"""How many programmes there are per campaign, state and reviewer, kept by the database.

The reviewers' queue shows a count on each of its tabs. Counting `programme` on every page
costs time in proportion to the number of programmes (6.9 ms of a 21 ms page at 23,000 on
SQLite); these counters are a few dozen rows whatever that number. Triggers on `programme`
keep them (inserts, deletes, and updates of the campaign, state or reviewer, whether made
through the ORM or by a bulk UPDATE/DELETE), so no operation has to remember them.

Also here: the two indexes that let the queue read one page of rows in its order and stop
(web/viewmodels/queue.py), declared on `programme` without touching its model.
"""

from __future__ import annotations

from sqlalchemy import DDL, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .programme import Programme


class ProgrammeCount(Base):
    __tablename__ = "programme_count"

    # No foreign key: the row is written by a trigger, and a count of zero for a campaign
    # that no longer exists is harmless.
    campaign_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The assigned reviewer, 0 when none (a primary key column cannot be NULL).
    reviewer_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0)


# A page of a tab: WHERE state = ? ORDER BY submitted_at, id LIMIT 25 reads 25 entries.
Index("ix_programme_state_submitted_at", Programme.state, Programme.submitted_at, Programme.id)
# The same for the tab "all" (no state).
Index("ix_programme_submitted_at", Programme.submitted_at, Programme.id)


_KEY = "campaign_id, state, reviewer_key"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS programme_count_insert AFTER INSERT ON programme BEGIN
  INSERT INTO programme_count ({_KEY}, n)
  VALUES (NEW.campaign_id, NEW.state, coalesce(NEW.reviewer_id, 0), 1)
  ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
END""",
    """CREATE TRIGGER IF NOT EXISTS programme_count_delete AFTER DELETE ON programme BEGIN
  UPDATE programme_count SET n = n - 1
  WHERE campaign_id = OLD.campaign_id AND state = OLD.state
    AND reviewer_key = coalesce(OLD.reviewer_id, 0);
END""",
    f"""CREATE TRIGGER IF NOT EXISTS programme_count_update
AFTER UPDATE OF campaign_id, state, reviewer_id ON programme
WHEN OLD.campaign_id IS NOT NEW.campaign_id OR OLD.state IS NOT NEW.state
  OR OLD.reviewer_id IS NOT NEW.reviewer_id
BEGIN
  UPDATE programme_count SET n = n - 1
  WHERE campaign_id = OLD.campaign_id AND state = OLD.state
    AND reviewer_key = coalesce(OLD.reviewer_id, 0);
  INSERT INTO programme_count ({_KEY}, n)
  VALUES (NEW.campaign_id, NEW.state, coalesce(NEW.reviewer_id, 0), 1)
  ON CONFLICT ({_KEY}) DO UPDATE SET n = n + 1;
END""",
]

# A decrement only updates: the row exists while a programme has its key, and a table
# emptied before `programme` (tests' wipe) must not be refilled with -1s.
#
# One function for the three events. An update takes the two counter rows in key order,
# so two transactions moving programmes in opposite directions (A: X->Y, B: Y->X) cannot
# each hold the row the other waits for.
POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION programme_count_change() RETURNS trigger AS $$
DECLARE
  old_key text;
  new_key text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO programme_count ({_KEY}, n)
    VALUES (NEW.campaign_id, NEW.state, coalesce(NEW.reviewer_id, 0), 1)
    ON CONFLICT ({_KEY}) DO UPDATE SET n = programme_count.n + 1;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    UPDATE programme_count SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND state = OLD.state
      AND reviewer_key = coalesce(OLD.reviewer_id, 0);
    RETURN NULL;
  END IF;
  old_key := OLD.campaign_id::text || '|' || OLD.state || '|' || coalesce(OLD.reviewer_id, 0)::text;
  new_key := NEW.campaign_id::text || '|' || NEW.state || '|' || coalesce(NEW.reviewer_id, 0)::text;
  IF old_key < new_key THEN
    UPDATE programme_count SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND state = OLD.state
      AND reviewer_key = coalesce(OLD.reviewer_id, 0);
  END IF;
  INSERT INTO programme_count ({_KEY}, n)
  VALUES (NEW.campaign_id, NEW.state, coalesce(NEW.reviewer_id, 0), 1)
  ON CONFLICT ({_KEY}) DO UPDATE SET n = programme_count.n + 1;
  IF old_key > new_key THEN
    UPDATE programme_count SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND state = OLD.state
      AND reviewer_key = coalesce(OLD.reviewer_id, 0);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS programme_count_insert_delete ON programme",
    "DROP TRIGGER IF EXISTS programme_count_update ON programme",
    """CREATE TRIGGER programme_count_insert_delete AFTER INSERT OR DELETE ON programme
FOR EACH ROW EXECUTE FUNCTION programme_count_change()""",
    """CREATE TRIGGER programme_count_update AFTER UPDATE OF campaign_id, state, reviewer_id
ON programme FOR EACH ROW
WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.state IS DISTINCT FROM NEW.state
      OR OLD.reviewer_id IS DISTINCT FROM NEW.reviewer_id)
EXECUTE FUNCTION programme_count_change()""",
]

# What the counters start from when the triggers are installed on existing rows.
FILL = (f"INSERT INTO programme_count ({_KEY}, n) "
        "SELECT campaign_id, state, coalesce(reviewer_id, 0), count(*) FROM programme "
        "GROUP BY campaign_id, state, coalesce(reviewer_id, 0)")


def trigger_statements(dialect: str) -> list[str]:
    return POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS


# Schemas made from the models (tests, `create_all`) get the triggers too; the migration
# installs them on existing databases. After the whole metadata: both tables must exist.
for _dialect, _statements in (("sqlite", SQLITE_TRIGGERS), ("postgresql", POSTGRES_TRIGGERS)):
    for _statement in _statements:
        event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect=_dialect))
