"""crossbrief's wire contract: what a client sends, what the API answers, the error codes with their HTTP
statuses, and the version. The service and the Python client both import it; it needs pydantic only.

- :mod:`~crossbrief.contract.request`: ``BriefRequest`` (the body of ``POST /v1/briefs``), ``ArticleIn``,
  ``BriefOptions``;
- :mod:`~crossbrief.contract.brief`: ``Brief`` and its parts; :mod:`~crossbrief.contract.balance`: outlet
  leanings and coverage balance;
- :mod:`~crossbrief.contract.jobs`: ``Job``, ``Progress``, the progress events;
- :mod:`~crossbrief.contract.errors`: ``ERROR_CODES`` (code -> HTTP status) and the error bodies."""

from crossbrief.contract import balance, brief, errors, jobs, request
from crossbrief.contract.balance import *  # noqa: F403
from crossbrief.contract.brief import *  # noqa: F403
from crossbrief.contract.errors import *  # noqa: F403
from crossbrief.contract.jobs import *  # noqa: F403
from crossbrief.contract.request import *  # noqa: F403
from crossbrief.contract.version import __version__

__all__ = ["__version__"]
__all__ += balance.__all__
__all__ += brief.__all__
__all__ += errors.__all__
__all__ += jobs.__all__
__all__ += request.__all__
