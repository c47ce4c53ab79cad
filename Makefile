# Every target bootstraps the environment from the project's own files (scripts/bootstrap.sh).
PY := .venv/bin/python
SVC ?= registry

.PHONY: env run run-cluster test-cluster demo test test-postgres e2e lint typecheck fmt migrate revision contracts contracts-check bench rules rules-check fuzz

env:
	@bash scripts/bootstrap.sh

run: env
	@$(PY) scripts/stack.py

# Two replicas of every service and the gateway behind HAProxy, a 3-node NATS cluster, the machine's PostgreSQL
# (scripts/cluster.py; flags after ARGS=, e.g. make run-cluster ARGS="--replicas 3 --gateway-port 8080").
run-cluster: env
	@bash scripts/ensure-haproxy.sh
	@$(PY) scripts/cluster.py $(ARGS)

# The fault test (tests/cluster): kill -9 a NATS node, a replica of each service and a gateway replica under load.
# Sizes: CLUSTER_REGISTRATIONS, CLUSTER_IMPORT_ROWS (environment).
test-cluster: env
	@bash scripts/ensure-haproxy.sh
	@$(PY) -m pytest -m cluster tests/cluster -q -rs -s

demo: env  # loads a realistic 温州 into a running `make run` (public APIs; re-running does not double)
	@$(PY) scripts/demo.py

test: env
	@bash scripts/test.sh

test-postgres: env
	@YISHE_TEST_BACKEND=postgres bash scripts/test.sh

# schemathesis over every service's and the gateway's OpenAPI against a started stack; fails on any 5xx.
fuzz: env
	@$(PY) scripts/fuzz.py $(FUZZ_SECONDS) $(FUZZ_EXAMPLES)

e2e: env
	@$(PY) -m pytest -m e2e tests

lint: env
	@.venv/bin/ruff check .

typecheck: env
	@.venv/bin/mypy

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

rules: env
	@$(PY) scripts/rules.py generate

rules-check: env
	@$(PY) scripts/rules.py check

bench: env
	@bash scripts/ensure-wrk.sh
	@$(PY) bench/registration_to_party.py
	@$(PY) bench/gateway_profile.py
	@$(PY) bench/registry_lookup.py 100000
	@$(PY) bench/import_memory.py 1000000
