# Every target bootstraps the environment from the project's own files (scripts/bootstrap.sh).
PY := .venv/bin/python
SVC ?= registry

.PHONY: env run test test-postgres e2e lint fmt migrate revision contracts contracts-check bench

env:
	@bash scripts/bootstrap.sh

run: env
	@$(PY) scripts/stack.py

test: env
	@bash scripts/test.sh

test-postgres: env
	@YISHE_TEST_BACKEND=postgres bash scripts/test.sh

e2e: env
	@$(PY) -m pytest -m e2e tests

lint: env
	@.venv/bin/ruff check .

fmt: env
	@.venv/bin/ruff format .

migrate: env
	@$(PY) -m alembic -c services/$(SVC)/alembic.ini upgrade head

revision: env
	@$(PY) -m alembic -c services/$(SVC)/alembic.ini revision --autogenerate -m "$(MSG)"

contracts: env
	@$(PY) scripts/contracts.py generate

contracts-check: env
	@$(PY) scripts/contracts.py check

bench: env
	@$(PY) bench/registration_to_party.py
	@$(PY) bench/gateway_profile.py
	@$(PY) bench/registry_lookup.py 100000
