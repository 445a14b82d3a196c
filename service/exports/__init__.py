"""A finished brief as a document: JSON, Markdown (for editors and the CLI) and standalone HTML."""

from __future__ import annotations

from service.exports.html import brief_html
from service.pipeline.render import to_json as brief_json
from service.pipeline.render import to_markdown as brief_markdown

__all__ = ["brief_html", "brief_json", "brief_markdown"]
