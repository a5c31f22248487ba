"""Scale-out, shown: two gunicorn instances and two `flask worker` consumers against one
PostgreSQL and one Redis on loopback, with no shared local files (each process has its own
instance folder; FILE_STORE=database; PDFs live in the database). The signatory bulk-signs N
letters through instance A, progress is read from instance B, one worker is SIGKILLed
midway, and the survivors finish: every letter has exactly one stored, verifiable PDF, the
numbers are gapless, nothing is left pending (no signing session, no queued job).

Run: python benchmarks/scale_out_bench.py --url postgresql://postgres@127.0.0.1:5432/DB
         --redis redis://127.0.0.1:6379/13 [--n 300]
(the database is emptied first). tests/jobs/test_scale_out.py runs the same with N=20
(and N=300 under the `slow` marker).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bulk_sign_bench import load, prepare, start_worker  # noqa: E402


def run(url: str, redis: str, n: int, *, log=print) -> dict:
    from sqlalchemy import func, select

    from documents.verify import verify_pdf
    from tests.factories import SIGNING_PIN
    from tests.resilience.harness import ApiClient, Server
    from workflow import letter_drafting
    from workflow.db import make_engine, make_session_factory
    from workflow.models import Campaign, Letter, SignBatch, SigningSession, User
    from workflow.states import LetterState, Role

    folder = Path(tempfile.mkdtemp(prefix="scale-out-"))
    queue = f"scale-out-{os.getpid()}-{int(time.time())}"
    common = {"SIGNING_SESSION_KEY": "scale-out-session-key", "AUDIT_KEY": "scale-out-audit-key",
              "JOBS_REDIS_URL": redis, "JOBS_QUEUE_NAME": queue, "JOBS_IMMEDIATE": "0",
              "JOBS_SWEEP_SECONDS": "3", "JOBS_RETRY_DELAY": "1", "FILE_STORE": "database",
              "LOG_LEVEL": "INFO"}
    saved = {k: os.environ.get(k) for k in (*common, "PROMETHEUS_MULTIPROC_DIR")}
    os.environ.update(common)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    servers, workers = [], []
    figures: dict = {"n": n, "load_before": load()}
    try:
        t0 = time.perf_counter()
        prepare(url, folder / "prepare", n - 2)  # the world has 2 municipalities of its own
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with factory() as s:
            campaign = s.scalars(select(Campaign)).one()
            reviewer = s.scalars(select(User).where(User.role == Role.REVIEWER)).first()
            ids = [x.id for x in letter_drafting.draft_reminders(s, campaign, reviewer,
                                                          now=datetime.now(UTC))]
            s.commit()
        figures["prepare_s"] = time.perf_counter() - t0
        log(f"prepared {len(ids)} draft reminders in {figures['prepare_s']:.1f} s")

        for name in ("a", "b"):
            (folder / name).mkdir()
            server = Server(url, folder / name, workers=2)
            server.start()
            servers.append(server)
        for name in ("w1", "w2"):
            (folder / name).mkdir()
            env = {"DATABASE_URL": url, "APP_INSTANCE_PATH": str(folder / name),
                   "SECRET_KEY": "scale-out", "PYTHONPATH": str(ROOT), **common}
            workers.append(start_worker(env, 1, folder / name / "worker.log"))
        log(f"two gunicorn instances ({servers[0].base}, {servers[1].base}) and two workers; "
            f"load average {load()}")

        signer_a = ApiClient(servers[0].base, "signatory")
        signer_b = ApiClient(servers[1].base, "signatory")
        t1 = time.perf_counter()
        status, body = signer_a.call("POST", "/letters/bulk-sign",
                                     {"letter_ids": ids, "pin": SIGNING_PIN}, timeout=600)
        figures["register_s"] = time.perf_counter() - t1
        if status != 202:
            raise RuntimeError(f"bulk-sign answered {status}: {body}")
        job = body["job"]
        log(f"bulk-sign of {len(ids)} letters on A: 202 in {figures['register_s']:.1f} s (job {job})")

        killed_at = None
        deadline = time.monotonic() + 120 + 3 * len(ids)
        progress = {}
        while time.monotonic() < deadline:
            status, progress = signer_b.call("GET", f"/jobs/{job}")
            assert status == 200, progress
            if killed_at is None and progress["done"] >= len(ids) // 3:
                os.killpg(workers[0].pid, signal.SIGKILL)  # the consumer and its worker
                workers[0].wait()
                killed_at = progress["done"]
                log(f"SIGKILL worker 1 at {killed_at}/{len(ids)} done")
            if progress["state"] == "finished":
                break
            time.sleep(0.5)
        figures["render_s"] = time.perf_counter() - t1 - figures["register_s"]
        figures["killed_at"] = killed_at
        figures["progress"] = {k: progress.get(k) for k in ("state", "total", "done", "failed")}
        log(f"job {job} on B: {figures['progress']} after {figures['render_s']:.1f} s of "
            f"rendering; load average {load()}")

        # ---- the invariants, read from the database
        with factory() as s:
            rows = s.execute(select(Letter.id, Letter.state, Letter.seq, Letter.pdf_sha256)
                             .where(Letter.id.in_(ids)).order_by(Letter.seq)).all()
            figures["letters"] = len(rows)
            figures["with_pdf"] = sum(1 for r in rows if r.pdf_sha256)
            figures["signed"] = sum(1 for r in rows if r.state == LetterState.SIGNED)
            figures["gapless"] = [r.seq for r in rows] == list(range(1, len(ids) + 1))
            figures["signing_sessions_left"] = s.scalar(select(func.count()).select_from(SigningSession))
            batch = s.get(SignBatch, job)
            figures["batch"] = (batch.total, batch.done, batch.failed, batch.state)
            sample = [rows[0].id, rows[len(rows) // 2].id, rows[-1].id]
            pdfs = [bytes(s.scalar(select(Letter.pdf).where(Letter.id == i))) for i in sample]
        from cryptography import x509

        ca = x509.load_pem_x509_certificate(
            (folder / "prepare" / "pki" / "demo-ca.pem").read_bytes())
        figures["sample_verified"] = all(verify_pdf(p, [ca]).ok for p in pdfs)
        from huey import RedisHuey

        figures["queue_left"] = RedisHuey(queue, url=redis).pending_count()
        executions = swept = 0
        for name in ("w1", "w2"):
            text = (folder / name / "worker.log").read_text(errors="replace")
            executions += sum(1 for line in text.splitlines()
                              if "render_letter_pdf" in line and "executed in" in line)
            swept += sum(int(m) for m in re.findall(r"sweep: (\d+) letter", text))
        figures["job_executions"] = executions
        figures["re_enqueued_by_sweep"] = swept
        engine.dispose()
        log(f"letters {figures['letters']}, with PDF {figures['with_pdf']}, gapless "
            f"{figures['gapless']}, signing sessions left {figures['signing_sessions_left']}, "
            f"queue left {figures['queue_left']}, batch {figures['batch']}, sample PDFs verify "
            f"{figures['sample_verified']}, job executions logged {executions}, re-enqueued by the "
            f"sweep {swept}")
        return figures
    finally:
        for proc in workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=20)
                except Exception:  # noqa: BLE001
                    os.killpg(proc.pid, signal.SIGKILL)
        for server in servers:
            server.stop()
        try:
            from huey import RedisHuey

            RedisHuey(queue, url=redis).flush()
        except Exception:  # noqa: BLE001 -- Redis gone: nothing to clean
            pass
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="PostgreSQL URL (emptied first)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    figures = run(args.url, args.redis, args.n)
    ok = (figures["with_pdf"] == figures["letters"] == args.n and figures["gapless"]
          and figures["signing_sessions_left"] == 0 and figures["queue_left"] == 0)
    print("OK" if ok else "INVARIANTS BROKEN", figures)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
