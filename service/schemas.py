"""The public contract as the service uses it: the request, brief and error models of :mod:`crossbrief.contract`
(shared with the Python client), with the request's ``options.backend`` narrowed to the backends this server has."""

from __future__ import annotations

from pydantic import Field

from crossbrief import contract
from crossbrief.contract.balance import *  # noqa: F403 - re-exported for the service
from crossbrief.contract.brief import *  # noqa: F403
from crossbrief.contract.errors import *  # noqa: F403
from crossbrief.contract.request import ArticleIn, Length  # noqa: F401
from service.config import Backend


class BriefOptions(contract.BriefOptions):
    """How to write the brief."""

    backend: Backend | None = Field(None, description="Backend override (only where the server allows overrides).")


class BriefRequest(contract.BriefRequest):
    """Body of ``POST /v1/briefs``."""

    options: BriefOptions = Field(default_factory=BriefOptions)
