# Production image: the app and the arq worker share it (compose.yaml picks the command).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /usr/local/bin/uv
WORKDIR /srv/bilans
# WeasyPrint (the documents' PDFs) needs Pango; DejaVu has every Polish letter.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

# Dependencies first (cached layer), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY app ./app
COPY scheduling ./scheduling
COPY supervision ./supervision
COPY templates ./templates
# Not root: the code belongs to root and is read-only to the app; only var/ (uploads) is its own.
# A fixed uid/gid, so a volume mounted on var/ keeps its owner across rebuilds.
RUN uv sync --frozen --no-dev && groupadd --system --gid 10001 bilans \
    && useradd --system --uid 10001 --gid bilans --home /srv/bilans bilans \
    && mkdir -p /srv/bilans/var && chown bilans:bilans /srv/bilans/var
USER bilans:bilans
EXPOSE 8000
# Configuration comes from the environment only (BILANS_*, see README); no config file is read.
# Migrations run before serving: compose.yaml's one-shot `migrate` service runs `bilans migrate`
# first, and `bilans serve` brings the schema up to date itself when started alone.
# Health checks are per service in compose.yaml (the app: /readyz; the worker: its heartbeat).
CMD ["bilans", "serve", "--host", "0.0.0.0", "--port", "8000"]
