"""crossbrief: neutral multi-source news briefs, grounded in the articles."""

from crossbrief.contract.version import __version__

__all__ = ["__version__"]
