"""`flask worker`: Huey's consumer for this app's queue, with N workers.

Run as many as needed, on as many machines as share the database and the queue's Redis:
each takes jobs from the same queue. Besides Huey's periodic tasks (checked every minute),
the scheduler enqueues the pending-work sweep every JOBS_SWEEP_SECONDS.
"""

from __future__ import annotations

import logging
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer, Scheduler

from . import huey, use_app


class SweepingScheduler(Scheduler):
    sweep_seconds = 60.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = time.monotonic() + self.sweep_seconds

    def loop(self, now=None):
        if self.sweep_seconds < 60 and self._next_sweep <= time.monotonic():
            self._next_sweep = time.monotonic() + self.sweep_seconds
            from .letters import sweep_pending

            try:
                self.huey.enqueue(sweep_pending.s())
            except Exception:  # noqa: BLE001 -- the queue is down: next time
                self._logger.exception("could not enqueue the sweep")
        return super().loop(now)


def make_consumer(app, *, workers: int, worker_type: str, sweep_seconds: float) -> Consumer:
    huey.immediate = False
    use_app(app)
    scheduler = type("AppScheduler", (SweepingScheduler,), {"sweep_seconds": sweep_seconds})
    consumer_class = type("AppConsumer", (Consumer,), {"scheduler_class": scheduler})
    return consumer_class(huey, workers=workers, worker_type=worker_type, periodic=True,
                          initial_delay=0.05, backoff=1.5, max_delay=1.0,
                          check_worker_health=True)


@click.command("worker")
@with_appcontext
@click.option("--workers", "-w", type=int, default=None,
              help="Workers (default JOBS_WORKERS, one per core).")
@click.option("--type", "worker_type", type=click.Choice(["process", "thread"]), default=None,
              help="Processes (CPU-bound rendering) or threads (default JOBS_WORKER_TYPE).")
def worker_command(workers: int | None, worker_type: str | None) -> None:
    """Run background jobs: PDFs of signed letters, mail, the periodic sweep."""
    app = current_app._get_current_object()
    workers = workers or int(app.config["JOBS_WORKERS"])
    worker_type = worker_type or app.config["JOBS_WORKER_TYPE"]
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    click.echo(f"Очередь {huey.name} ({type(huey).__name__}): обработчиков {workers} "
               f"({worker_type})", err=True)
    make_consumer(app, workers=workers, worker_type=worker_type,
                  sweep_seconds=float(app.config["JOBS_SWEEP_SECONDS"])).run()
