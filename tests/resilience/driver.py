"""A client that takes programmes through their whole life over the API, surviving server
crashes: after any network error it re-reads the state and carries on from there."""

from __future__ import annotations

import random
import threading
import time

from tests.factories import SIGNING_PIN

from .harness import ApiClient


class Acks:
    """Effects the server acknowledged with 2xx: each must survive any later crash."""

    def __init__(self):
        self.lock = threading.Lock()
        self.transitions: list[tuple[int, str, int]] = []  # (programme, trigger, new version)
        self.signed: list[tuple[int, str]] = []  # (letter, number)
        self.server_errors: list[str] = []
        self.requests = 0

    def add(self, kind, item):
        with self.lock:
            getattr(self, kind).append(item)


class ProgrammeDriver:
    def __init__(self, base, editor_login, acks: Acks, stop: threading.Event, seed: int):
        self.editor = ApiClient(base, editor_login)
        self.reviewer = ApiClient(base, "reviewer")
        self.signatory = ApiClient(base, "signatory")
        self.acks = acks
        self.stop = stop
        self.rng = random.Random(seed)
        self.seed = seed

    def _call(self, client, method, path, body=None):
        while not self.stop.is_set():
            try:
                status, data = client.call(method, path, body, timeout=30)
            except OSError:
                time.sleep(0.2)  # the server is down or restarting
                continue
            with self.acks.lock:
                self.acks.requests += 1
            if status >= 500:
                self.acks.add("server_errors", f"{method} {path} -> {status}: {str(data)[:200]}")
            if status == 401:
                client.token = None
                continue
            return status, data
        raise InterruptedError

    def run(self, campaign_id, requirement_ids) -> None:
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                self.one_programme(f"Программа {self.seed}-{n}", campaign_id, requirement_ids)
        except InterruptedError:
            pass

    def _find(self, title):
        status, data = self._call(self.editor, "GET", "/programmes?per_page=100")
        return next((p["id"] for p in data["items"] if p["title"] == title), None)

    def one_programme(self, title, campaign_id, requirement_ids) -> None:
        sections = {str(r): f"Раздел {r}: мероприятия и показатели" for r in requirement_ids}
        pid = None
        while pid is None:
            status, data = self._call(self.editor, "POST", "/programmes", {
                "campaign_id": campaign_id, "title": title, "period_from": 2026,
                "period_to": 2028, "sections": sections})
            # A create whose answer was lost in a crash may exist already.
            pid = data["id"] if status == 201 else self._find(title)
        while not self.stop.is_set():
            status, p = self._call(self.reviewer, "GET", f"/programmes/{pid}")
            state, version = p["state"], p["version"]
            if state == "draft":
                self._fire(self.editor, pid, "submit", version)
            elif state == "submitted":
                self._fire(self.reviewer, pid, "start_review", version)
            elif state == "in_review":
                for rid in requirement_ids:
                    self._call(self.reviewer, "PUT", f"/programmes/{pid}/assessments/{rid}",
                               {"verdict": "met", "comment": ""})
                self._fire(self.reviewer, pid, "approve", version)
            elif state == "decision_pending":
                # The approval takes effect when the signatory signs its letter.
                self._sign_letter(pid)
            elif state == "approved":
                return

    def _fire(self, client, pid, trigger, version) -> None:
        status, data = self._call(client, "POST", f"/programmes/{pid}/actions/{trigger}",
                                  {"version": version, "reason": ""})
        if status == 200:
            self.acks.add("transitions", (pid, trigger, data["programme"]["version"]))

    def _sign_letter(self, pid) -> None:
        while not self.stop.is_set():
            status, data = self._call(self.signatory, "GET", f"/letters?programme_id={pid}")
            letter = data["items"][0]
            if letter["state"] != "draft":
                return
            status, data = self._call(self.signatory, "POST", f"/letters/{letter['id']}/sign",
                                      {"version": letter["version"], "pin": SIGNING_PIN})
            if status == 200:
                self.acks.add("signed", (data["id"], data["number"]))
                return
