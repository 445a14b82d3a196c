"""Moved to ``tests/stub_server.py`` (test scaffolding is not part of the service). This alias only keeps
``python -m service.llm.stub_server`` and ``from service.llm.stub_server import StubServer`` working for the
benchmarks (bench/_harness.py, bench/throughput.py) until they use ``tests.stub_server``; delete it then."""

from tests.stub_server import StubServer, instance, main

__all__ = ["StubServer", "instance", "main"]

if __name__ == "__main__":
    main()
