# crossbrief API with the embedded default model. Same install as the README.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    CROSSBRIEF_CACHE_DIR=/var/cache/crossbrief CROSSBRIEF_HOST=0.0.0.0 CROSSBRIEF_PORT=8000

RUN useradd --create-home --uid 10001 crossbrief
WORKDIR /app
COPY . /app

# README: pip install -e ".[dev]" (dev tools are not needed in the image) + the joined model.
RUN pip install --no-cache-dir -e . \
    && mkdir -p /var/cache/crossbrief \
    && crossbrief prepare-model \
    && chown -R crossbrief /var/cache/crossbrief

USER crossbrief
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["crossbrief", "serve"]
