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
RUN uv sync --frozen --no-dev && useradd --system --home /srv/bilans bilans && mkdir -p /srv/bilans/var \
    && chown bilans /srv/bilans/var
USER bilans
EXPOSE 8000
# Migrations run before serving; `bilans serve` runs them itself.
CMD ["bilans", "serve", "--host", "0.0.0.0", "--port", "8000"]
