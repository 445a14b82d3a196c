"""The web page: ``GET /`` (service/web/index.html) and its assets under ``/static/``.

Assets are addressed with the package version (``/static/app.js?v=0.1.0``), so they may be cached for a
day; the page itself is revalidated on every load. A strict Content-Security-Policy keeps article text,
which the page shows, from ever running as code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from service import __version__
from service.errors import NotFound

router = APIRouter(tags=["web"])

WEB = Path(__file__).resolve().parents[2] / "web"
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "balance.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@lru_cache(maxsize=1)
def _index() -> str:
    return (WEB / "index.html").read_text(encoding="utf-8").replace("{{version}}", __version__)


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
async def index() -> HTMLResponse:
    """The page that sends articles, follows the job and shows the brief with its sources."""
    return HTMLResponse(_index(), headers={**SECURITY, "Cache-Control": "no-cache"})


@router.api_route("/static/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def static(name: str) -> FileResponse:
    """The page's script and style sheet (only these: nothing else under service/ is served)."""
    if name not in ASSETS:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(
        WEB / name,
        media_type=ASSETS[name],
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
