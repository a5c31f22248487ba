"""Kept for existing imports: the unit of work of screens is the web's one (web/work.py)."""

from .work import refused, unit_of_work

__all__ = ["refused", "unit_of_work"]
