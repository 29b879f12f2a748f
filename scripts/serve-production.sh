#!/usr/bin/env bash
# The market in production: several ASGI worker processes (gunicorn managing uvicorn
# workers, each serving HTTP and the notification websockets through market.asgi) behind a
# reverse proxy that terminates TLS and sets X-Forwarded-Proto, plus the two task workers.
#
#   DJANGO_SECRET_KEY=… DJANGO_ALLOWED_HOSTS=market.example.cn \
#   DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/0 scripts/serve-production.sh
#
# HOST, PORT: where gunicorn listens (127.0.0.1:8000, for the proxy in front).
# WEB_CONCURRENCY: ASGI worker processes (default: two per core).
# TASK_WORKERS: 1 starts the default and matching task workers beside the site (default), 0
# leaves them to their own service.
# More than one web worker needs REDIS_URL: a notification sent in one process reaches a
# websocket held by another only through the Redis channel layer.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-market.settings.production}
BIN=${VENV:-.venv}/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKERS=${WEB_CONCURRENCY:-$(( $(nproc) * 2 ))}
TASK_WORKERS=${TASK_WORKERS:-1}

if [ "$WORKERS" -gt 1 ] && [ -z "${REDIS_URL:-}" ]; then
  echo "serve-production: $WORKERS worker processes need REDIS_URL (the channel layer and" \
    "cache they share); set it, or WEB_CONCURRENCY=1." >&2
  exit 2
fi

"$BIN/python" manage.py check --deploy --fail-level ERROR
# Hashed, compressed static files (whitenoise's manifest storage): served for a year.
"$BIN/python" manage.py collectstatic --noinput --verbosity 0

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
if [ "$TASK_WORKERS" = 1 ]; then
  "$BIN/python" manage.py db_worker --backend default --queue-name default --no-startup-delay --no-reload &
  pids+=($!)
  "$BIN/python" manage.py db_worker --backend matching --queue-name matching --no-startup-delay --no-reload &
  pids+=($!)
fi
echo "Serving on http://$HOST:$PORT/ with $WORKERS worker processes"
"$BIN/gunicorn" market.asgi:application \
  --worker-class market.workers.UvicornWorker \
  --workers "$WORKERS" --bind "$HOST:$PORT" \
  --graceful-timeout 20 --no-control-socket --access-logfile - &
pids+=($!)
wait -n "${pids[@]}"
