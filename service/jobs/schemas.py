"""The job resource, from the wire contract (:mod:`crossbrief.contract.jobs`)."""

from crossbrief.contract.jobs import *  # noqa: F403 - re-exported for the service
