# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= market.settings.dev

.PHONY: run test install lint check pytest migrate demo serve bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py reindex

# market.server is daphne, with a 414 instead of a dropped connection for a long request.
serve: install
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Serving the demo market on http://$(HOST):$(PORT)/ (and the task and matching workers)"
	trap 'kill $$tasks $$matching 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker --backend default --queue-name default --no-startup-delay --no-reload & \
	tasks=$$!; \
	$(BIN)/python manage.py db_worker --backend matching --queue-name matching --no-startup-delay --no-reload & \
	matching=$$!; \
	$(BIN)/python -m market.server -b $(HOST) -p $(PORT) market.asgi:application

run: demo serve

# ruff, and the architecture: .importlinter's contracts (layers across apps and inside
# matching, the Django-free matching core).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

check: install
	DJANGO_SETTINGS_MODULE=market.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=market.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=market.settings.production \
		DJANGO_SECRET_KEY=throwaway-check-deploy-key-9f3Kq7Zx2Lm8Vb4Nc6Hd1Jr5Tw0Ys3Pe \
		DJANGO_ALLOWED_HOSTS=market.example.cn \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install
	DJANGO_SETTINGS_MODULE=market.settings.test $(BIN)/pytest $(PYTEST_ARGS)

test: lint check pytest

bench: install
	$(BIN)/python bench/import_listings.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/matching.py

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python $(BIN)/python

# The English UI: extract the translatable strings into locale/en/LC_MESSAGES/django.po, then
# compile the django.mo that is committed with it (needs GNU gettext on this machine only).
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore='$(VENV)/*' --ignore='var/*' \
		--ignore='bench/*' --ignore='tests/*' --add-location=file
	$(BIN)/python manage.py compilemessages --ignore='$(VENV)/*'

clean:
	rm -rf $(VENV) var db.sqlite3
