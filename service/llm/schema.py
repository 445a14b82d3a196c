"""JSON schemas for models: OpenAI strict-mode safe (all properties required, optional ones nullable,
``additionalProperties: false``, no defaults, patterns or formats)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_DROP = {"default", "pattern", "format", "examples", "title", "discriminator"}


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema rewritten for strict structured output."""
    schema = model.model_json_schema()
    out = _walk(schema)
    out["title"] = model.__name__
    return out


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: _walk(sub) for name, sub in value.items()}
        elif key not in _DROP:
            out[key] = _walk(value)
    if "description" in out and not isinstance(out["description"], str):
        out.pop("description")
    if out.get("type") == "object" or "properties" in out:
        out["type"] = "object"
        out.setdefault("properties", {})
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def check_strict(schema: Any, path: str = "$") -> list[str]:
    """Every way ``schema`` breaks strict mode (empty when it is safe)."""
    problems: list[str] = []
    if isinstance(schema, list):
        for i, n in enumerate(schema):
            problems += check_strict(n, f"{path}[{i}]")
        return problems
    if not isinstance(schema, dict):
        return problems
    for bad in ("default", "pattern", "format"):
        if bad in schema:
            problems.append(f"{path}: has {bad!r}")
    if schema.get("type") == "object":
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            problems.append(f"{path}: additionalProperties is not false")
        if sorted(schema.get("required", [])) != sorted(props):
            problems.append(f"{path}: not every property is required")
    for key, value in schema.items():
        if key in ("properties", "$defs") and isinstance(value, dict):
            for name, sub in value.items():
                problems += check_strict(sub, f"{path}.{name}")
        elif isinstance(value, (dict, list)):
            problems += check_strict(value, f"{path}.{key}")
    return problems
