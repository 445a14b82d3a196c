"""crossbrief: neutral multi-source news briefs, grounded in the articles."""

__version__ = "0.1.0"
