"""The wire contract (crossbrief.contract): one table of error codes that both error hierarchies follow, models the
service and the client share, and a client package that needs nothing of the server."""

from __future__ import annotations

import ast
import inspect
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

import crossbrief
from crossbrief import contract
from crossbrief import errors as client_errors
from crossbrief.contract import ERROR_CODES, http_status
from crossbrief.contract.errors import GENERIC_CODES
from service import errors as service_errors
from service import schemas
from service.config import REPO_ROOT

STDLIB = set(sys.stdlib_module_names)


def imported_roots(package: Path) -> dict[str, set[str]]:
    """Per module file under ``package``: the top-level names (or ``crossbrief.contract``-style prefixes) it imports."""
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(REPO_ROOT))] = names
    return found


def test_every_service_error_answers_with_the_status_of_its_code() -> None:
    classes = [c for _, c in inspect.getmembers(service_errors, inspect.isclass)
               if issubclass(c, service_errors.CrossbriefError)]
    assert len(classes) > 10
    for cls in classes:
        assert cls.code in ERROR_CODES, f"{cls.__name__}.code {cls.code!r} is not in the contract's table"
        assert cls.status_code == ERROR_CODES[cls.code].status, cls


def test_client_errors_map_codes_and_statuses_through_the_same_table() -> None:
    for code, cls in client_errors.CODE_ERRORS.items():
        assert code in ERROR_CODES, code
        assert client_errors.error_class(http_status(code), code) is cls
    for status, code in GENERIC_CODES.items():
        assert client_errors.error_class(status, None) is client_errors.CODE_ERRORS[code], status
    # A specific code without a class of its own maps by its status; a code sent with another status by the status.
    assert client_errors.error_class(502, "model_refused") is client_errors.UpstreamError
    assert client_errors.error_class(504, "job_timeout") is client_errors.UpstreamTimeout
    assert client_errors.error_class(409, "cancelled") is client_errors.JobCancelled
    assert client_errors.error_class(500, "cancelled") is client_errors.InternalServerError
    assert client_errors.error_class(418, None) is client_errors.CrossbriefAPIError
    assert http_status("no_such_code") == 500


def test_the_client_package_imports_nothing_of_the_server() -> None:
    for module, names in imported_roots(REPO_ROOT / "crossbrief").items():
        server = {n for n in names if n.split(".")[0] in {"service", "evals", "tests", "bench"}}
        assert not server, f"{module} imports {server}"


def test_the_contract_needs_only_pydantic_and_the_standard_library() -> None:
    for module, names in imported_roots(REPO_ROOT / "crossbrief" / "contract").items():
        other = {n for n in names if n.split(".")[0] not in STDLIB | {"pydantic", "__future__"}
                 and not n.startswith("crossbrief.contract")}
        assert not other, f"{module} imports {other}"


def test_service_and_client_share_the_contract_models() -> None:
    assert schemas.Brief is contract.Brief is crossbrief.Brief
    assert schemas.ArticleIn is crossbrief.ArticleIn
    assert crossbrief.Job is contract.Job and crossbrief.__version__ == contract.__version__
    # The server narrows the backend override to its own backends; the client leaves that to the server.
    assert issubclass(schemas.BriefRequest, contract.BriefRequest)
    assert crossbrief.BriefOptions(backend="any-name").backend == "any-name"
    with pytest.raises(ValidationError) as e:
        schemas.BriefOptions(backend="any-name")
    assert e.value.errors()[0]["type"] == "literal_error"


def test_pip_install_without_extras_pulls_only_the_client_dependencies() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    base = {d.split("[")[0].split("=")[0].split(">")[0].split("<")[0].strip() for d in project["dependencies"]}
    assert base == {"pydantic", "httpx"}, base
    extras = project["optional-dependencies"]
    assert "crossbrief[server]" in extras["dev"], "the README installs dev: it must bring the server"
    assert any(d.startswith("fastapi") for d in extras["server"])
    assert any(d.startswith("xllamacpp") for d in extras["server"])
