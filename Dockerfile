# The IOC application image: the web app (gunicorn + gevent), the CLI and the built web pages.

# Stage 1: the web pages, built with Vite from the locked npm packages (nothing from a CDN).
FROM node:20-bookworm-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run --silent build

# Stage 2: the Python application, with the pages of stage 1 where Flask looks for them.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 ioc
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY ioc ./ioc
COPY mobile_api ./mobile_api
COPY migrations ./migrations
COPY --from=web /src/frontend/dist ./frontend/dist
RUN pip install --editable . && mkdir -p /app/var/media && chown -R ioc /app/var
USER ioc
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
