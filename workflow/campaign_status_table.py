"""The campaign page's status table: filters by state, deadline status and municipality
name, and its sort orders, parsed from query parameters (unknown values dropped)."""

from __future__ import annotations

from dataclasses import dataclass

from .campaign_status_model import (
    DEADLINE_LABELS,
    DEADLINE_ORDER,
    STATE_LABELS,
    STATE_ORDER,
    StatusRow,
)

SORT_KEYS = {
    "municipality": lambda r: (r.municipality.lower(), r.title or ""),
    "state": lambda r: (STATE_ORDER.index(r.state) if r.state in STATE_ORDER else 99,
                        r.municipality.lower()),
    "days": lambda r: (r.days_in_state if r.days_in_state is not None else -1, r.municipality.lower()),
    "remarks": lambda r: (r.open_remarks, r.municipality.lower()),
    "deadline": lambda r: (DEADLINE_ORDER.index(r.deadline_status), r.municipality.lower()),
    "reviewer": lambda r: ((r.reviewer or "").lower(), r.municipality.lower()),
}


@dataclass(frozen=True)
class TableQuery:
    state: str = ""
    deadline: str = ""
    municipality: str = ""
    sort: str = "municipality"
    descending: bool = False

    @classmethod
    def parse(cls, args) -> TableQuery:
        """From query parameters; unknown values are dropped, not errors."""
        state = args.get("state") or ""
        deadline = args.get("deadline") or ""
        sort = args.get("sort") or "municipality"
        return cls(
            state=state if state in STATE_LABELS else "",
            deadline=deadline if deadline in DEADLINE_LABELS else "",
            municipality=(args.get("municipality") or "").strip()[:100],
            sort=sort if sort in SORT_KEYS else "municipality",
            descending=args.get("order") == "desc",
        )

    def apply(self, rows: list[StatusRow]) -> list[StatusRow]:
        needle = self.municipality.casefold().replace("ё", "е")
        chosen = [
            r for r in rows
            if (not self.state or r.state == self.state)
            and (not self.deadline or r.deadline_status == self.deadline)
            and (not needle or needle in r.municipality.casefold().replace("ё", "е"))
        ]
        return sorted(chosen, key=SORT_KEYS[self.sort], reverse=self.descending)
