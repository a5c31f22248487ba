"""The queue seen from outside: a /healthz check and a queue-depth gauge on /metrics."""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily

from web.observability import register_check


def check_queue(_app) -> None:
    """The queue's storage answers (Redis or the embedded SQLite file)."""
    from . import huey

    huey.pending_count()


class QueueCollector:
    """Read at scrape time, from the queue itself: one value whichever process answers."""

    def collect(self):
        from . import huey

        depth = GaugeMetricFamily("jobs_queue_depth", "Jobs waiting in the queue",
                                  labels=["queue"])
        scheduled = GaugeMetricFamily("jobs_scheduled", "Jobs scheduled for later (retries)",
                                      labels=["queue"])
        try:
            depth.add_metric([huey.name], huey.pending_count())
            scheduled.add_metric([huey.name], huey.scheduled_count())
        except Exception:  # noqa: BLE001 -- /healthz reports the queue down; metrics stay up
            return
        yield depth
        yield scheduled


def init_app(app) -> None:
    register_check(app, "queue", check_queue)
    metrics = app.extensions.get("metrics")
    if metrics is not None and not getattr(metrics, "queue_collector", None):
        metrics.queue_collector = QueueCollector()
        metrics.registry.register(metrics.queue_collector)
