"""Bulk signing at the scale of all of Russia: N individually addressed reminders registered
in one transaction, then rendered, signed and stored by `flask worker` consumers.

Prints: the registration of the whole batch (one transaction, gapless numbers), enqueueing,
render+sign+store throughput with W workers, the total, and for comparison the one-by-one
path (register, then render in the same process, letter after letter) measured on a smaller
number and extrapolated to N. Prints the load average beside the figures: the machine may be
shared.

The floor, measured right after the batch in the same conditions: layout + write + sign of
the same letters (their frozen data, the same key), no database, no queue, (a) in this one
process, on --floor letters, extrapolated to N; (b) in W processes started like the workers
(their own session: the kernel's autogroup scheduler shares the CPU between sessions, not
processes, so on a shared machine W processes of one session get one session's share), each
taking N/W letters, the whole batch. RATIO = the workers' render time / (b): how close the W
workers came to W renderers doing nothing else (1.0 = the floor).

Run:
  python benchmarks/bulk_sign_bench.py [--n 2300] [--workers 2] [--one-by-one 60]
         [--url postgresql://...]   (default: SQLite in a temp folder)
         [--redis redis://127.0.0.1:6379/13]   (default: the embedded SQLite queue)
         [--register-only]   (the registration phase alone: seconds and SQL statements)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def prepare(url: str, instance: Path, municipalities: int) -> None:
    """Schema, the tests' small world (a campaign, a signatory with her own certificate) and
    `municipalities` more municipalities, each of which gets a reminder."""
    from sqlalchemy import insert

    from benchmarks.postgres import empty_public_schema
    from tests.resilience.harness import prepare_database
    from workflow.db import make_engine
    from workflow.models import Municipality

    if url.startswith("postgresql"):
        empty_public_schema(url)
    prepare_database(url, instance, editors=0)
    engine = make_engine(url)
    rows = [{"code": f"b{i:05d}", "name": f"Муниципальный округ № {i}", "kind": "округ",
             "authority_name": "Управление образования", "active": True}
            for i in range(municipalities)]
    with engine.begin() as conn:
        conn.execute(insert(Municipality), rows)
    engine.dispose()


def environment(url: str, instance: Path, redis: str | None, queue: str) -> dict:
    env = {"DATABASE_URL": url, "APP_INSTANCE_PATH": str(instance), "SECRET_KEY": "bench",
           "SIGNING_SESSION_KEY": "bench-signing-session-key", "AUDIT_KEY": "bench-audit-key",
           "JOBS_IMMEDIATE": "0", "JOBS_QUEUE_NAME": queue, "PKI_DIR": str(instance / "pki"),
           "PYTHONPATH": str(ROOT), "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
    if redis:
        env["JOBS_REDIS_URL"] = redis
    return env


def start_worker(env: dict, workers: int, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 -- lives with the worker
    # INFO: the workers say when their renderer is ready (`wait_warm`).
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", str(workers)],
        cwd=ROOT, env={**os.environ, **env, "LOG_LEVEL": "INFO"}, stdout=handle, stderr=handle,
        start_new_session=True)


def wait_warm(proc: subprocess.Popen, log: Path, workers: int) -> float:
    """Wait until every worker process has its renderer (a deployed worker is running
    already when a batch is signed); the seconds it took."""
    started = time.perf_counter()
    while log.read_text(errors="replace").count("letter renderer ready") < workers:
        if proc.poll() is not None:
            raise SystemExit(f"the worker stopped; see {log}")
        time.sleep(0.2)
    return time.perf_counter() - started


def stop_worker(proc: subprocess.Popen) -> None:
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def count_statements(engine) -> list[str]:
    """The statements the engine runs from now on (an executemany counts once)."""
    from sqlalchemy import event

    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    return seen


def stored_count(factory, ids) -> int:
    from sqlalchemy import func, select

    from workflow.models import Letter

    with factory() as s:
        return s.scalar(select(func.count()).where(Letter.id.in_(ids),
                                                   Letter.pdf_sha256.is_not(None)))


def measure_floor(app, factory, ids) -> float:
    """Seconds a letter to lay out, write and sign the letters `ids` (already registered:
    their frozen data and signing time) in this process, with a signer of the same key."""

    from sqlalchemy import select

    from documents.issue import _signer_from_opened, context_from_data
    from documents.pipeline import render_and_sign
    from documents.render import get_renderer
    from tests.factories import SIGNING_PIN
    from workflow.letter_data import LetterData
    from workflow.models import Letter, SignerCertificate
    from workflow.signing_pkcs12 import open_pkcs12

    with factory() as s:
        rows = [(LetterData.from_json(data), at) for data, at in s.execute(
            select(Letter.final_data, Letter.signed_at).where(Letter.id.in_(ids)))]
        container = s.scalars(select(SignerCertificate.pkcs12)).first()
    signer = _signer_from_opened(open_pkcs12(container, SIGNING_PIN))
    renderer = get_renderer()
    render_and_sign(context_from_data(rows[0][0]), signer, rows[0][1], renderer=renderer)  # warm
    started = time.perf_counter()
    for data, at in rows:
        render_and_sign(context_from_data(data), signer, at, renderer=renderer)
    return (time.perf_counter() - started) / len(rows)


def floor_child(ids_file: Path) -> None:
    """One process of the parallel floor: render its share, print the seconds it took."""
    from web import create_app

    app = create_app({"JOBS_IMMEDIATE": False})
    ids = [int(x) for x in ids_file.read_text().split()]
    seconds = measure_floor(app, app.extensions["session_factory"], ids) * len(ids)
    print(f"{seconds:.3f}")


def floor_group(files: list[Path]) -> None:
    """The W floor processes, children of this one: one session, like a consumer's workers."""
    procs = [subprocess.Popen([sys.executable, __file__, "--floor-child", str(path)],
                              cwd=ROOT, stdout=subprocess.PIPE) for path in files]
    print(max(float(p.communicate()[0].decode().strip().splitlines()[-1]) for p in procs))


def parallel_floor(env: dict, folder: Path, ids: list[int], workers: int) -> tuple[float, float]:
    """W processes in one new session (as `flask worker --workers W` runs its workers),
    each laying out, writing and signing its share of `ids`: (wall seconds, rendering only)."""
    files = []
    for i in range(workers):
        path = folder / f"floor-{i}.txt"
        path.write_text(" ".join(map(str, ids[i::workers])))
        files.append(path)
    started = time.perf_counter()
    group = subprocess.run([sys.executable, __file__, "--floor-group", *map(str, files)],
                           cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                           start_new_session=True, check=True)
    inner = float(group.stdout.decode().strip().splitlines()[-1])
    return time.perf_counter() - started, inner


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one-by-one", type=int, default=60,
                        help="letters of the one-by-one comparison (extrapolated to N)")
    parser.add_argument("--floor", type=int, default=300,
                        help="letters of the floor measurement (extrapolated to N)")
    parser.add_argument("--parallel-floor", type=int, default=1,
                        help="0: skip the W-process floor (b)")
    parser.add_argument("--floor-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--floor-group", nargs="*", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--cold-workers", action="store_true",
                        help="start the workers after the registration (their start counted)")
    parser.add_argument("--register-only", action="store_true",
                        help="only the registration phase (no workers, no rendering); prints "
                             "the SQL statements it ran")
    parser.add_argument("--url", default=None)
    parser.add_argument("--redis", default=None)
    args = parser.parse_args()
    if args.floor_child:
        floor_child(Path(args.floor_child))
        return
    if args.floor_group is not None:
        floor_group([Path(p) for p in args.floor_group])
        return

    folder = Path(tempfile.mkdtemp(prefix="bulk-sign-bench-"))
    instance = folder / "instance"
    instance.mkdir()
    url = args.url or f"sqlite:///{folder / 'bench.db'}"
    queue = f"bulk-bench-{os.getpid()}"
    env = environment(url, instance, args.redis, queue)
    os.environ.update(env)  # before web.jobs is imported: the same queue as the workers

    print(f"database {url.split('@')[-1]}, queue {'Redis ' + args.redis if args.redis else 'SQLite (embedded)'}, "
          f"{args.workers} workers; load average before: {load()}")
    started = time.perf_counter()
    prepare(url, instance, args.n - 2)  # the world has 2 municipalities of its own
    print(f"prepared {args.n} municipalities in {time.perf_counter() - started:.1f} s")

    from sqlalchemy import select

    from tests.factories import SIGNING_PIN
    from web import create_app
    from web.jobs import huey
    from workflow import bulk_signing, letter_drafting, letter_registration
    from workflow.models import Campaign, Letter, User
    from workflow.states import Role

    app = create_app({"JOBS_IMMEDIATE": False})
    factory = app.extensions["session_factory"]
    from documents.issue import session_sealer, session_ttl

    with factory() as s:
        campaign = s.scalars(select(Campaign)).one()
        reviewer = s.scalars(select(User).where(User.role == Role.REVIEWER)).first()
        drafted = letter_drafting.draft_reminders(s, campaign, reviewer, now=datetime.now(UTC))
        ids = [x.id for x in drafted]
        s.commit()
    print(f"drafted {len(ids)} reminders")

    # ---- the workers, running already as deployed (unless --cold-workers)
    worker = None
    if not args.cold_workers and not args.register_only:
        worker = start_worker(env, args.workers, folder / "worker.log")
        print(f"{args.workers} workers started and warm in "
              f"{wait_warm(worker, folder / 'worker.log', args.workers):.1f} s (not counted)")

    # ---- registration: the whole batch in one transaction (the request's work)
    statements = count_statements(app.extensions["engine"])
    with factory() as s:
        signatory = s.scalars(select(User).where(User.role == Role.SIGNATORY)).one()
        statements.clear()
        t0 = time.perf_counter()
        bulk_signing.sign_batch(s, ids, signatory, now=datetime.now(UTC), pin=SIGNING_PIN,
                                sealer=session_sealer(app), session_ttl=session_ttl(app))
        t1 = time.perf_counter()
        registering = len(statements)
        s.commit()  # enqueues one job per letter (web.jobs.letters)
        t2 = time.perf_counter()
    registration, enqueueing = t1 - t0, t2 - t1
    print(f"registration of {len(ids)} letters in one transaction: {registration:.1f} s "
          f"({registration / len(ids) * 1000:.1f} ms a letter); commit + enqueue "
          f"{enqueueing:.1f} s; queue depth {huey.pending_count()}; {registering} SQL "
          f"statements (executemany counted once); load average: {load()}")
    if args.register_only:
        app.extensions["engine"].dispose()
        return

    # ---- rendering, signing, storing by the workers
    t3 = time.perf_counter()
    if worker is None:
        worker = start_worker(env, args.workers, folder / "worker.log")
    try:
        done = 0
        while done < len(ids):
            time.sleep(1.0)
            done = stored_count(factory, ids)
            if worker.poll() is not None:
                raise SystemExit(f"the worker stopped; see {folder / 'worker.log'}")
        rendering = time.perf_counter() - t3
    finally:
        stop_worker(worker)
    load_after = load()
    total = registration + enqueueing + rendering
    print(f"render + sign + store with {args.workers} workers: {rendering:.1f} s "
          f"({len(ids) / rendering:.1f} letters/s, {rendering / len(ids) * 1000 * args.workers:.0f} "
          f"ms a letter per worker; {'includes' if args.cold_workers else 'without'} the "
          f"workers' start)")
    print(f"TOTAL {len(ids)} letters: {total:.1f} s (goal <= 120 s); load average after: {load_after}")

    # ---- the floor: layout + write + sign only, one process, same letters, no DB
    floor = measure_floor(app, factory, ids[:max(1, min(args.floor, len(ids)))])
    floor_n = floor * len(ids)
    print(f"floor (layout + write + sign, one process, no DB): {floor * 1000:.0f} ms a letter "
          f"over {min(args.floor, len(ids))} letters -> {floor_n:.0f} s for {len(ids)}, "
          f"{floor_n / args.workers:.0f} s on {args.workers} cores; load average: {load()}")
    if args.parallel_floor:
        sample = ids[:max(args.workers, min(args.floor, len(ids)))]
        wall, inner = parallel_floor(env, folder, sample, args.workers)
        scaled = inner * len(ids) / len(sample)
        print(f"floor in {args.workers} processes of one session (like the workers' consumer), "
              f"{len(sample)} letters: {inner:.1f} s rendering ({wall:.1f} s with the "
              f"processes' start) -> {scaled:.0f} s for {len(ids)}; load average: {load()}")
        print(f"RATIO workers' render time / parallel floor: {rendering / scaled:.2f} "
              f"(total incl. registration: {total / scaled:.2f})")

    # ---- one by one, for comparison: sign and render letter after letter in one process
    from documents.issue import render_and_store

    n = min(args.one_by_one, len(ids))
    with factory() as s:
        more = letter_drafting.draft_reminders(s, campaign, reviewer, now=datetime.now(UTC))
        s.commit()
    if not more:  # every municipality had its reminder signed: make plain circulars
        with factory() as s:
            more = [letter_drafting.draft_circular(s, s.get(Campaign, campaign.id), s.get(User, reviewer.id),
                                                   now=datetime.now(UTC), heading=f"Письмо {i}",
                                                   body="Текст письма.") for i in range(n)]
            s.commit()
    huey.immediate = True  # the render happens here, in this process, after each commit
    t4 = time.perf_counter()
    for letter_id in [x.id for x in more[:n]]:
        with factory() as s:
            letter = s.get(Letter, letter_id)
            letter_registration.sign_letter(s, letter, s.get(User, signatory.id), now=datetime.now(UTC),
                                            pin=SIGNING_PIN, sealer=session_sealer(app),
                                            session_ttl=session_ttl(app))
            s.commit()
        if not stored_count(factory, [letter_id]):  # the commit's job (immediate) stored it
            render_and_store(app, letter_id)
    per_letter = (time.perf_counter() - t4) / n
    print(f"one by one (register, render, sign, store; one process, no HTTP): "
          f"{per_letter * 1000:.0f} ms a letter over {n} letters -> {per_letter * len(ids):.0f} s "
          f"for {len(ids)} (extrapolated); load average: {load()}")
    if args.redis:
        huey.immediate = False
        huey.flush()
    app.extensions["engine"].dispose()


if __name__ == "__main__":
    main()
