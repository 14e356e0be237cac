# The IOC application image: the web app (gunicorn + gevent) and the CLI.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 ioc
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY ioc ./ioc
COPY mobile_api ./mobile_api
COPY migrations ./migrations
RUN pip install --editable . && mkdir -p /app/var/media && chown -R ioc /app/var
USER ioc
EXPOSE 8000
CMD ["gunicorn", "-c", "gunicorn.conf.py", "ioc.wsgi:app"]
