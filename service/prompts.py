"""Prompt files: ``prompts/<task>/<version>.yaml`` with ``version``, ``system`` and ``user`` templates.

Templates use ``{{name}}`` placeholders. A prompt version cited by an eval report is frozen: change a
prompt by adding ``v2.yaml``, never by editing ``v1.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from service.errors import MissingVariables, PromptError

_VAR = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class Prompt(BaseModel):
    """One version of one task's prompt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str
    version: str
    description: str = ""
    system: str
    user: str

    @property
    def variables(self) -> set[str]:
        """Names the templates expect."""
        return set(_VAR.findall(self.system)) | set(_VAR.findall(self.user))

    def render(self, **values: str) -> list[tuple[str, str]]:
        """Chat messages with every placeholder filled; raises MissingVariables for an unfilled one."""
        missing = self.variables - values.keys()
        if missing:
            raise MissingVariables(
                f"prompt {self.task}/{self.version} needs {sorted(missing)}", task=self.task
            )
        fill = lambda m: str(values[m.group(1)])  # noqa: E731
        return [("system", _VAR.sub(fill, self.system)), ("user", _VAR.sub(fill, self.user))]


@lru_cache(maxsize=64)
def load_prompt(prompts_dir: Path, task: str, version: str = "v1") -> Prompt:
    """Read and validate ``prompts_dir/task/version.yaml``."""
    path = prompts_dir / task / f"{version}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise PromptError(f"no prompt file {path}") from e
    except yaml.YAMLError as e:
        raise PromptError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise PromptError(f"{path}: expected a mapping")
    try:
        prompt = Prompt(task=task, **data)
    except (ValidationError, TypeError) as e:
        raise PromptError(f"{path}: {e}") from e
    if prompt.version != version:
        raise PromptError(f"{path}: declares version {prompt.version!r}, file name says {version!r}")
    return prompt
