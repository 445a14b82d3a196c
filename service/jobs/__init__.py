"""Brief jobs: queue, state, progress, cache."""
