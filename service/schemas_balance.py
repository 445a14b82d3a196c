"""Outlet metadata and coverage balance, from the wire contract (:mod:`crossbrief.contract.balance`)."""

from crossbrief.contract.balance import *  # noqa: F403 - re-exported for the service
