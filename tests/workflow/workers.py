"""Process entry points for the multi-process tests (spawned: importable, no fixtures).

Each worker opens its own engine, reports through a queue as plain tuples, and never lets
an exception escape silently: an unexpected error is reported as ("error", repr).
"""

from __future__ import annotations

import traceback
from datetime import UTC, datetime

BARRIER_TIMEOUT = 120


def run_in_processes(target, args_of: list[tuple], *, timeout: float = 240) -> list:
    """Start one spawned process per argument tuple, each called as
    `target(*args, barrier, queue)` so that all begin together; the results each put on the
    queue, after every process ended (a silent one fails the test, a stuck one is killed)."""
    import multiprocessing
    import queue as queue_module

    import pytest

    ctx = multiprocessing.get_context("spawn")
    barrier, q = ctx.Barrier(len(args_of)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, q)) for args in args_of]
    for proc in procs:
        proc.start()
    results = []
    try:
        for _ in procs:
            try:
                results.append(q.get(timeout=timeout))
            except queue_module.Empty:
                pytest.fail(f"only {len(results)} of {len(procs)} processes reported: {results}")
    finally:
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
    return results


def race_start_review(url, programme_id, reviewer_id, barrier, queue):
    from workflow import operations
    from workflow.db import make_engine, make_session_factory
    from workflow.errors import WorkflowError
    from workflow.models import Programme, User

    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        # Load and end the read transaction (on SQLite it holds the write lock).
        with factory() as session:
            seen = session.get(Programme, programme_id).version
            session.commit()
        barrier.wait(BARRIER_TIMEOUT)
        with factory() as session:
            programme = session.get(Programme, programme_id)
            reviewer = session.get(User, reviewer_id)
            try:
                operations.start_review(session, programme, reviewer, now=datetime.now(UTC),
                                        expected_version=seen)
                session.commit()
                queue.put((reviewer_id, "ok", seen))
            except WorkflowError as exc:
                session.rollback()
                queue.put((reviewer_id, type(exc).__name__, exc.message))
    except Exception:  # reported, so the parent fails with the cause
        queue.put((reviewer_id, "error", traceback.format_exc()))
    finally:
        engine.dispose()


def sign_many(url, letter_ids, signatory_id, barrier, queue):
    from tests.factories import SIGNING_PIN
    from workflow import letter_registration
    from workflow.db import make_engine, make_session_factory
    from workflow.models import Letter, User

    engine = make_engine(url)
    factory = make_session_factory(engine)
    results = []
    try:
        barrier.wait(BARRIER_TIMEOUT)
        for letter_id in letter_ids:
            # One use case, one transaction, as the web does it.
            with factory() as session:
                letter = session.get(Letter, letter_id)
                signatory = session.get(User, signatory_id)
                letter_registration.sign_letter(session, letter, signatory, now=datetime.now(UTC),
                                                pin=SIGNING_PIN, sealer=None)
                session.commit()
                results.append((letter_id, letter.seq))
        queue.put(("ok", results))
    except Exception:
        queue.put(("error", traceback.format_exc()))
    finally:
        engine.dispose()


def try_sign_in(url, login, password, address, tries, barrier, queue):
    """`tries` sign-ins in a row, after every process is ready; reports the outcomes."""
    from workflow.db import make_engine, make_session_factory
    from workflow.signin import TooManyAttempts, sign_in

    engine = make_engine(url)
    factory = make_session_factory(engine)
    outcomes = []
    try:
        barrier.wait(BARRIER_TIMEOUT)
        for _ in range(tries):
            with factory() as session:
                try:
                    user = sign_in(session, login, password, address=address,
                                   now=datetime.now(UTC))
                    session.commit()
                    outcomes.append("ok" if user else "failed")
                except TooManyAttempts:
                    session.commit()
                    outcomes.append("throttled")
        queue.put(("ok", outcomes))
    except Exception:
        queue.put(("error", traceback.format_exc()))
    finally:
        engine.dispose()


def bump_counter(url, index, times, barrier, queue):
    """Take `times` journal numbers, one transaction each. On SQLite the transactions are
    DEFERRED (no write lock from their start): the counter must be atomic by itself."""
    from workflow import letter_registration
    from workflow.db import make_engine, make_session_factory, read_only_engine

    engine = make_engine(url)
    factory = make_session_factory(read_only_engine(engine))
    taken = []
    try:
        barrier.wait(BARRIER_TIMEOUT)
        for _ in range(times):
            with factory() as session:
                taken.append(letter_registration.take_numbers(session, index, 0))
                session.commit()
        queue.put(("ok", taken))
    except Exception:
        queue.put(("error", traceback.format_exc()))
    finally:
        engine.dispose()


def decide_at_once(url, task_id, user_id, decision, barrier, queue):
    """One participant deciding their route task, all at the same moment."""
    from workflow import route_engine
    from workflow.db import make_engine, make_session_factory
    from workflow.errors import WorkflowError
    from workflow.models import StageTask, User

    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            seen = session.get(StageTask, task_id).version
            session.commit()
        barrier.wait(BARRIER_TIMEOUT)
        with factory() as session:
            try:
                route_engine.decide_task(session, task_id, session.get(User, user_id),
                                         decision=decision, comment="Замечание участника",
                                         now=datetime.now(UTC), expected_version=seen)
                session.commit()
                queue.put((user_id, "ok", ""))
            except WorkflowError as exc:
                session.rollback()
                queue.put((user_id, type(exc).__name__, exc.message))
    except Exception:
        queue.put((user_id, "error", traceback.format_exc()))
    finally:
        engine.dispose()


def sign_or_refuse(url, letter_id, task_id, user_id, action, barrier, queue):
    """A signatory signing the decision letter while another refuses the signing stage."""
    from tests.factories import SIGNING_PIN
    from workflow import letter_registration, route_engine
    from workflow.db import make_engine, make_session_factory
    from workflow.errors import WorkflowError
    from workflow.models import Letter, User

    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        barrier.wait(BARRIER_TIMEOUT)
        with factory() as session:
            user = session.get(User, user_id)
            try:
                if action == "sign":
                    letter_registration.sign_letter(session, session.get(Letter, letter_id), user,
                                                    now=datetime.now(UTC), pin=SIGNING_PIN, sealer=None)
                else:
                    route_engine.decide_task(session, task_id, user, decision="reject",
                                             comment="Не подписываю", now=datetime.now(UTC))
                session.commit()
                queue.put((action, "ok", ""))
            except WorkflowError as exc:
                session.rollback()
                queue.put((action, type(exc).__name__, exc.message))
    except Exception:
        queue.put((action, "error", traceback.format_exc()))
    finally:
        engine.dispose()
