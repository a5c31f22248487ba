"""URL fetcher for WeasyPrint that only lets inline ``data:`` URIs through.

Letters contain user-supplied text; a stray ``<img src="file:///etc/passwd">`` or a link to an
internal HTTP service must never be resolved while rendering. Everything a letter needs (the
emblem, the QR code) is inlined as a data URI, so nothing else is ever legitimate.
"""

from __future__ import annotations

from weasyprint.urls import URLFetcher


class DataOnlyURLFetcher(URLFetcher):
    def __init__(self) -> None:
        # WeasyPrint's own protocol filter is kept as a second line of defence.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        if not url.lower().startswith("data:"):
            scheme = url.split(":", 1)[0] if ":" in url else "(relative)"
            raise ValueError(
                f"Refusing to fetch {url!r}: letters may only use inline data: URIs, "
                f"not {scheme}"
            )
        return super().fetch(url, headers)
