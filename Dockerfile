FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=ess_portal.settings.production
WORKDIR /app

# WeasyPrint (the value report's PDF) loads Pango, HarfBuzz and fontconfig at run time, and needs a font.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 ess && mkdir -p /app/var /app/media && chown -R ess /app/var /app/media
USER ess

EXPOSE 8000
# Workers, timeouts and the request line and header limits: gunicorn.conf.py (environment variables).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "--access-logfile", "-", "ess_portal.wsgi:application"]
