"""Process entry point for the absence race (spawned: importable, no fixtures)."""

from __future__ import annotations

import traceback
from datetime import UTC, date, datetime

from tests.workflow.workers import BARRIER_TIMEOUT


def race_declare(url, user_id, substitute_id, barrier, queue):
    from workflow import absences
    from workflow.db import make_engine, make_session_factory
    from workflow.errors import WorkflowError
    from workflow.models import User

    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        barrier.wait(BARRIER_TIMEOUT)
        with factory() as session:
            user, substitute = session.get(User, user_id), session.get(User, substitute_id)
            try:
                absences.declare_absence(session, user, user, substitute=substitute,
                                         starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 6),
                                         now=datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
                session.commit()
                queue.put((substitute_id, "ok", ""))
            except WorkflowError as exc:
                session.rollback()
                queue.put((substitute_id, type(exc).__name__, exc.message))
    except Exception:  # reported, so the parent fails with the cause
        queue.put((substitute_id, "error", traceback.format_exc()))
    finally:
        engine.dispose()
