"""Administration, one module per capability, all on the one `admin` blueprint (so every URL
and endpoint name, `admin.user_edit` and the rest, stays as it was). Administrators only.

- `dashboard`: the first page;
- `users`: the users and a user's page; `certificates`: a signatory's signing certificates;
- `municipalities`: the municipalities and their reference data.

Campaigns: `web/blueprints/campaigns_admin.py`; routes: `routes_admin.py`; the head of a
department's own screens: `admin_department.py`.
"""

from __future__ import annotations

from . import certificates, dashboard, municipalities, users  # noqa: F401 (each adds its routes)
from .common import bp

__all__ = ["bp"]
