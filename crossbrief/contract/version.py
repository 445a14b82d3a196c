"""The version of crossbrief's wire contract, client and service (one number: they are released together)."""

__version__ = "0.1.0"
