"""Schema fuzzing: schemathesis generates requests from the service's own OpenAPI document (valid and
invalid bodies, query strings, headers and paths) and sends them to the app; no answer is a 500 and every
answer matches the document (status code documented, body and content type as described).

The app is the real one, its model the zero-latency stub OpenAI-compatible server on loopback, so a valid
brief request runs the whole pipeline.
"""

from __future__ import annotations

import atexit
import tempfile
from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.config import Settings
from service.llm import LLMProvider
from service.main import create_app
from tests.stub_server import StubServer

EXAMPLES = 25  # fuzzing examples per operation (the examples and coverage phases add their own)


def _app_schema() -> schemathesis.BaseSchema:
    """The app's schema, loaded through the app itself (schemathesis runs the app's lifespan around the calls).
    Built when the module is imported: schemathesis's fixture-based loader does not work with pytest 9."""
    tmp = Path(tempfile.mkdtemp(prefix="crossbrief-fuzz-"))
    stub = StubServer().start()
    atexit.register(stub.stop)
    app_settings = Settings(
        backend="openai-compatible",
        base_url=stub.url,
        model="stub",
        api_key="unused",  # type: ignore[arg-type]
        max_retries=0,
        cache_dir=tmp / "cache",
        database_url=f"sqlite:///{tmp / 'fuzz.db'}",
        auth="off",
        rate_limit="1000000/minute",
        redis_url=None,
    )
    provider = LLMProvider(app_settings)
    provider.start()  # ready before the first request (the app would load it in the background: /readyz 503)
    loaded = schemathesis.openapi.from_asgi("/openapi.json", create_app(app_settings, provider))
    loaded.config.generation.update(max_examples=EXAMPLES)
    return loaded


schema = _app_schema()


ANSWERS: Counter[tuple[str, int]] = Counter()  # (operation, status) of every call made


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_every_answer_matches_the_spec(case: schemathesis.Case) -> None:
    """Every check schemathesis has: no 5xx, status code documented, body and content type and headers as
    documented, invalid data refused, valid data accepted, 405 with a true Allow header. One exception:
    a schema-valid brief request may still be refused (422 naming the field) for the article rules JSON Schema
    cannot state (text that has words and is not binary, unique ids, the server's own max_articles and
    max_article_chars, a date not in the future), so positive-data acceptance is not asked of POST /v1/briefs;
    test_valid_briefs_were_written checks that schema-valid requests do get briefs."""
    # The pytest plugin ends the app's lifespan after each operation and the app then loads its model in the
    # background on the next request: load it first so /readyz is 200 (its 503 while loading is documented).
    schema.app.state.provider.start()
    excluded = [positive_data_acceptance] if case.operation.label == "POST /v1/briefs" else []
    response = case.call_and_validate(excluded_checks=excluded)
    ANSWERS[(case.operation.label, response.status_code)] += 1


def test_valid_briefs_were_written() -> None:
    """The fuzzer's valid brief requests ran the whole pipeline on the stub model: some got a brief (200) or
    a job (202), none a 5xx, and no job (sync or async) failed."""
    briefs = {status: n for (label, status), n in ANSWERS.items() if label == "POST /v1/briefs"}
    assert briefs.get(200, 0) + briefs.get(202, 0) > 0, briefs
    assert not [key for key in ANSWERS if key[1] >= 500], ANSWERS
    jobs = schema.app.state.store.list_jobs(500)  # async ones too: none failed in the pipeline
    assert [r.id for r in jobs if r.status == "done"] and not [r.error for r in jobs if r.status == "failed"]
