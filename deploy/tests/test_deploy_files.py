"""Deploy files agree with each other and with the conventions: streams, compose, Dockerfiles, init SQL, Helm."""

from __future__ import annotations

import json
import os
import re
import secrets
import typing
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, SecretStr, ValidationError

DEPLOY = Path(__file__).resolve().parents[1]
ROOT = DEPLOY.parent
COMPOSE_DIR = DEPLOY / "compose"
STREAMS_DIR = DEPLOY / "nats" / "streams"

SERVICES = ("registry", "credit", "procurement", "party", "cultivation")
STREAMS = {
    "REGISTRY": "registry.>",
    "CREDIT": "credit.>",
    "PROCUREMENT": "procurement.>",
    "PARTY": "party.>",
    "CULTIVATION": "cultivation.>",
    "DLQ": "dlq.>",
}
DAY_NS = 86_400 * 10**9
MEMBERS = (*SERVICES, "gateway")
# Folder of each deployable member, relative to the repository root and to the image's WORKDIR.
MEMBER_DIRS = {svc: f"services/{svc}" for svc in SERVICES} | {"gateway": "gateway"}
DOCKERFILES = {member: ROOT / MEMBER_DIRS[member] / "Dockerfile" for member in MEMBERS}

# The subset of the JetStream StreamConfig we rely on, with the server's own value spellings.
STREAM_SCHEMA = {
    "type": "object",
    "required": [
        "name",
        "subjects",
        "retention",
        "storage",
        "num_replicas",
        "discard",
        "duplicate_window",
        "max_age",
    ],
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
        "subjects": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "retention": {"enum": ["limits", "interest", "workqueue"]},
        "storage": {"enum": ["file", "memory"]},
        "discard": {"enum": ["old", "new"]},
        "num_replicas": {"type": "integer", "minimum": 1, "maximum": 5},
        "duplicate_window": {"type": "integer"},
        "max_age": {"type": "integer"},
        "allow_direct": {"type": "boolean"},
    },
}


def load_stream(name: str) -> dict:
    return json.loads((STREAMS_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((COMPOSE_DIR / "compose.yml").read_text(encoding="utf-8"))


def _secret_env_names(model: type[BaseModel], prefix: str, delimiter: str) -> Iterator[str]:
    """Environment names of every `SecretStr` field of a settings model, nested models included."""
    for name, field in model.model_fields.items():
        assert field.alias is None and field.validation_alias is None, f"{prefix}{name}: alias not handled here"
        env = f"{prefix}{name}".upper()
        annotation = field.annotation
        if SecretStr in (annotation, *typing.get_args(annotation)):
            yield env
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _secret_env_names(annotation, env + delimiter, delimiter)


@pytest.fixture(scope="module")
def gateway_secrets() -> frozenset[str]:
    """Every secret of the gateway's settings, by the environment variable that sets it."""
    from yishe_gateway.config import Settings

    config = Settings.model_config
    names = frozenset(_secret_env_names(Settings, config["env_prefix"], config["env_nested_delimiter"]))
    assert names, "the gateway's settings declare no secret"
    # The assertion key is key material (PEM), given as a file: test_assertion_keys_reach_gateway_and_services.
    return names - {ASSERTION_KEY}


ASSERTION_KEY = "GATEWAY_ASSERTION__PRIVATE_KEY"


def test_assertion_keys_reach_gateway_and_services(compose: dict) -> None:
    """Issue 12: the gateway signs with the private key, every service holds only the public one."""
    env = compose["services"]["gateway"]["environment"]
    assert env[f"{ASSERTION_KEY}_FILE"].startswith("/run/yishe-keys/")
    for svc in SERVICES:
        svc_env = compose["services"][svc]["environment"]
        assert svc_env[f"{svc.upper()}_ASSERTION__PUBLIC_KEY_FILE"] == "/run/yishe-keys/assertion-public.pem"
        assert not any("PRIVATE" in k for k in svc_env)
    header = (DEPLOY / "helm" / "values" / "gateway.yaml").read_text(encoding="utf-8")
    assert f"--from-file={ASSERTION_KEY}=" in header


# --- NATS streams -----------------------------------------------------------------------------


def test_stream_files_are_exactly_the_owned_streams_and_dlq() -> None:
    assert {p.stem for p in STREAMS_DIR.glob("*.json")} == set(STREAMS)


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_stream_config_is_valid_and_named_like_its_file(name: str) -> None:
    cfg = load_stream(name)
    jsonschema.validate(cfg, STREAM_SCHEMA)
    assert cfg["name"] == name
    assert cfg["subjects"] == [STREAMS[name]]


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_stream_is_replicated_file_backed_and_deduplicating(name: str) -> None:
    cfg = load_stream(name)
    assert cfg["num_replicas"] == 3
    assert cfg["storage"] == "file"
    assert cfg["retention"] == "limits"
    assert cfg["discard"] == "old"
    assert cfg["duplicate_window"] > 0
    assert cfg["duplicate_window"] == 120 * 10**9  # nanoseconds, matches the relay's Nats-Msg-Id window
    assert cfg.get("allow_direct") is True


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_stream_keeps_events_for_a_year_and_dead_letters_for_a_month(name: str) -> None:
    days = 30 if name == "DLQ" else 365
    assert load_stream(name)["max_age"] == days * DAY_NS


def test_streams_capture_disjoint_subjects() -> None:
    # JetStream refuses two streams whose subjects overlap.
    prefixes = [s.removesuffix(".>") for name in STREAMS for s in load_stream(name)["subjects"]]
    assert len(prefixes) == len(set(prefixes))
    assert all("." not in p and "*" not in p and ">" not in p for p in prefixes)


def test_stream_subjects_match_the_contracts_owners() -> None:
    subjects = pytest.importorskip("yishe_contracts.subjects")
    expected = {subjects.stream_name(o): f"{o}.>" for o in subjects.OWNERS}
    expected[subjects.DLQ_STREAM] = f"{subjects.DLQ_PREFIX}.>"
    assert expected == STREAMS


# --- NATS cluster -----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3])
def test_nats_node_config_has_jetstream_and_routes_to_all_nodes(n: int) -> None:
    text = (DEPLOY / "nats" / "cluster" / f"nats-{n}.conf").read_text(encoding="utf-8")
    assert re.search(rf"^server_name:\s*nats-{n}\s*$", text, re.MULTILINE)
    assert re.search(r"jetstream\s*\{[^}]*store_dir:\s*/data", text, re.DOTALL)
    routes = set(re.findall(r"nats-route://(nats-\d):6222", text))
    assert routes == {"nats-1", "nats-2", "nats-3"}


def test_nats_helm_values_run_three_servers_with_a_10gi_file_store() -> None:
    values = yaml.safe_load((DEPLOY / "nats" / "helm-values.yaml").read_text(encoding="utf-8"))
    assert values["config"]["cluster"] == {"enabled": True, "replicas": 3}
    js = values["config"]["jetstream"]
    assert js["enabled"] is True
    assert js["fileStore"]["enabled"] is True
    assert js["fileStore"]["pvc"]["size"] == "10Gi"


# --- Compose ----------------------------------------------------------------------------------


def test_compose_defines_infrastructure_services_gateway_and_migrations(compose: dict) -> None:
    names = set(compose["services"])
    expected = {"postgres", "nats-1", "nats-2", "nats-3", "nats-streams", "gateway"}
    expected |= set(SERVICES) | {f"migrate-{member}" for member in MEMBERS}
    assert expected <= names


@pytest.mark.parametrize("svc", MEMBERS)
def test_member_waits_for_its_migration_and_postgres(compose: dict, svc: str) -> None:
    depends = compose["services"][svc]["depends_on"]
    assert depends[f"migrate-{svc}"] == {"condition": "service_completed_successfully"}
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends["nats-streams"] == {"condition": "service_completed_successfully"}


def test_gateway_still_waits_for_every_service_to_start(compose: dict) -> None:
    depends = compose["services"]["gateway"]["depends_on"]
    for svc in SERVICES:
        assert depends[svc] == {"condition": "service_started"}


@pytest.mark.parametrize("svc", MEMBERS)
def test_migration_runs_alembic_with_the_member_image(compose: dict, svc: str) -> None:
    app, migrate = compose["services"][svc], compose["services"][f"migrate-{svc}"]
    assert migrate["command"] == ["alembic", "-c", f"{MEMBER_DIRS[svc]}/alembic.ini", "upgrade", "head"]
    assert migrate["image"] == app["image"]
    assert migrate["build"] == app["build"]
    assert migrate["build"]["dockerfile"] == f"{MEMBER_DIRS[svc]}/Dockerfile"
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert migrate.get("restart") == "no"
    assert "healthcheck" not in migrate


@pytest.mark.parametrize("svc", MEMBERS)
def test_member_environment_points_at_its_own_database_and_the_cluster(compose: dict, svc: str) -> None:
    up = svc.upper()
    for name in (svc, f"migrate-{svc}"):
        env = compose["services"][name]["environment"]
        url = env[f"{up}_DB__URL"]
        assert url.startswith(f"postgresql+asyncpg://{svc}:")
        assert url.endswith(f"@postgres:5432/{svc}")
        servers = env[f"{up}_NATS__URL"].split(",")
        assert servers == [f"nats://nats-{n}:4222" for n in (1, 2, 3)]
        assert f"{up}_ENV" in env


@pytest.mark.parametrize("svc", [*SERVICES, "gateway"])
def test_app_healthcheck_uses_ready_endpoint_with_python(compose: dict, svc: str) -> None:
    test = compose["services"][svc]["healthcheck"]["test"]
    joined = " ".join(test)
    assert test[0] == "CMD" and test[1] == "python"
    assert "urllib" in joined and "/health/ready" in joined


def test_gateway_is_the_only_published_service(compose: dict) -> None:
    published = {name for name, spec in compose["services"].items() if spec.get("ports")}
    assert published == {"gateway"}
    ports = compose["services"]["gateway"]["ports"]
    # "host:container", the host side defaulting to 8000.
    assert any(str(p).endswith(":8000") and "8000" in str(p).rsplit(":", 1)[0] for p in ports)


def test_gateway_environment_lists_every_upstream(compose: dict) -> None:
    env = compose["services"]["gateway"]["environment"]
    for svc in SERVICES:
        assert env[f"GATEWAY_UPSTREAMS__{svc.upper()}"] == f"http://{svc}:8000"
    assert env["GATEWAY_DB__URL"].endswith("@postgres:5432/gateway")
    for key in ("GATEWAY_NATS__URL", "GATEWAY_PUBLIC_BASE_URL", "GATEWAY_SIGNING_KEY"):
        assert key in env


def test_gateway_secrets_are_exactly_what_its_settings_need_outside_dev(
    monkeypatch: pytest.MonkeyPatch, gateway_secrets: frozenset[str]
) -> None:
    # Keeps the secret discovery honest: with env=prod the placeholders are refused, every one of
    # these secrets is needed, and together they are enough (a new required setting fails here).
    from yishe_gateway.config import Settings

    for key in list(os.environ):
        if key.upper().startswith("GATEWAY_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("GATEWAY_ENV", "prod")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv(f"{ASSERTION_KEY}_FILE", "/run/yishe-keys/assertion-private.pem")
    for name in gateway_secrets:
        monkeypatch.setenv(name, secrets.token_hex(24))
    Settings()
    for name in gateway_secrets:
        with monkeypatch.context() as m:
            m.delenv(name)
            with pytest.raises(ValidationError, match=name):
                Settings()
        with monkeypatch.context() as m:
            m.setenv(name, "too-short")
            with pytest.raises(ValidationError, match=name):
                Settings()


@pytest.mark.parametrize("name", ["gateway", "migrate-gateway"])
def test_gateway_and_its_migration_require_every_gateway_secret(
    compose: dict, gateway_secrets: frozenset[str], name: str
) -> None:
    # Both load the gateway's settings (migrations/env.py calls get_settings()), so both need them.
    env = compose["services"][name]["environment"]
    for secret in gateway_secrets:
        assert str(env.get(secret, "")).startswith("${" + secret + ":?"), f"{name}: {secret}"
    assert env["GATEWAY_ENV"] == "${YISHE_ENV:-prod}"
    assert env["GATEWAY_DB__URL"] == compose["services"]["gateway"]["environment"]["GATEWAY_DB__URL"]


def test_nats_nodes_mount_their_own_config(compose: dict) -> None:
    for n in (1, 2, 3):
        spec = compose["services"][f"nats-{n}"]
        assert spec["image"] == "nats:2.10-alpine"
        assert f"../nats/cluster/nats-{n}.conf:/etc/nats/nats.conf:ro" in spec["volumes"]


def test_streams_job_applies_the_stream_files_after_the_cluster_is_healthy(compose: dict) -> None:
    job = compose["services"]["nats-streams"]
    assert job["image"].startswith("natsio/nats-box")
    assert any(v.startswith("../nats/streams:") for v in job["volumes"])
    assert {f"nats-{n}" for n in (1, 2, 3)} <= set(job["depends_on"])
    assert all(c == {"condition": "service_healthy"} for c in job["depends_on"].values())


def test_compose_bind_mounts_and_dockerfiles_exist(compose: dict) -> None:
    for name, spec in compose["services"].items():
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_DIR / source).exists(), f"{name}: {source}"
        if "build" in spec:
            context = COMPOSE_DIR / spec["build"]["context"]
            assert context.resolve() == ROOT
            assert (context / spec["build"]["dockerfile"]).is_file(), name


def test_env_example_defines_every_required_variable(compose: dict) -> None:
    text = (COMPOSE_DIR / "compose.yml").read_text(encoding="utf-8")
    referenced = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    example = (COMPOSE_DIR / ".env.example").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, re.MULTILINE))
    assert referenced, "compose.yml references no variables"
    assert referenced - defined == set()


def test_env_example_leaves_secrets_empty_and_compose_requires_them(
    compose: dict, gateway_secrets: frozenset[str]
) -> None:
    # An empty secret stops `docker compose up` (${VAR:?...}); a placeholder would not.
    example = (COMPOSE_DIR / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^([A-Z_][A-Z0-9_]*)=(.*)$", example, re.MULTILINE))
    required = {"POSTGRES_PASSWORD", *gateway_secrets}
    required |= {f"{name.upper()}_DB_PASSWORD" for name in MEMBERS}
    assert {name: values.get(name) for name in required} == dict.fromkeys(required, "")
    text = (COMPOSE_DIR / "compose.yml").read_text(encoding="utf-8")
    for name in required:
        assert "${" + name + ":?" in text, name
    # The header's generator loop fills them all.
    loop = re.search(r"^#\s+for v in (.*?); do", example, re.MULTILINE | re.DOTALL)
    assert loop is not None
    assert set(re.findall(r"[A-Z_][A-Z0-9_]*", loop.group(1))) == required


# --- Dockerfiles ------------------------------------------------------------------------------


@pytest.mark.parametrize("member", sorted(DOCKERFILES))
def test_dockerfile_installs_deps_then_code_from_the_lock(member: str) -> None:
    text = DOCKERFILES[member].read_text(encoding="utf-8")
    dist = f"yishe-{member}"
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert "--no-install-workspace" in text
    assert "--frozen" in text
    deps = re.search(rf"uv sync --frozen --no-install-workspace --package {dist}\b", text)
    code = re.search(rf"uv sync --frozen --package {dist}\b", text)
    assert deps and code and deps.start() < code.start()
    # Only manifests and the lock before the deps layer; code after it.
    assert text.index("COPY libs/kit libs/kit") > deps.start()
    assert text.index("COPY pyproject.toml uv.lock") < deps.start()


@pytest.mark.parametrize("member", sorted(DOCKERFILES))
def test_dockerfile_runs_uvicorn_as_non_root(member: str) -> None:
    text = DOCKERFILES[member].read_text(encoding="utf-8")
    assert re.search(r"^USER (?!root\b|0\b)\S+", text, re.MULTILINE)
    assert re.search(r"^EXPOSE 8000$", text, re.MULTILINE)
    cmd = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert cmd is not None
    assert json.loads(cmd.group(1)) == [
        "uvicorn",
        "--factory",
        f"yishe_{member}.main:create_app",
        # Each connection's writes of one loop turn sent together (yishe_kit.server; as scripts/stack.py runs it).
        "--http",
        "yishe_kit.server:HttpToolsProtocol",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
        # The gateway alone decides whose X-Forwarded-For to believe (GATEWAY_TRUSTED_PROXIES, issue 12).
        *(["--no-proxy-headers"] if member == "gateway" else []),
    ]
    assert "uv==0.13.8" in text


@pytest.mark.parametrize("member", sorted(DOCKERFILES))
def test_dockerfile_copies_every_workspace_manifest(member: str) -> None:
    # uv reads the whole workspace even when syncing one member.
    text = DOCKERFILES[member].read_text(encoding="utf-8")
    for manifest in ["libs/kit", "contracts", "gateway", *(f"services/{s}" for s in SERVICES)]:
        assert f"COPY {manifest}/pyproject.toml {manifest}/" in text


@pytest.mark.parametrize("member", MEMBERS)
def test_dockerfile_ships_its_migrations_where_the_migrate_command_looks(member: str) -> None:
    # `alembic -c <dir>/alembic.ini` runs from the WORKDIR, where the image copies the files.
    text = DOCKERFILES[member].read_text(encoding="utf-8")
    folder = MEMBER_DIRS[member]
    assert re.findall(r"^WORKDIR (\S+)$", text, re.MULTILINE) == ["/app"]
    assert f"COPY {folder}/alembic.ini {folder}/alembic.ini" in text
    assert f"COPY {folder}/migrations {folder}/migrations" in text
    assert (ROOT / folder / "alembic.ini").is_file()
    assert (ROOT / folder / "migrations" / "env.py").is_file()
    for other in set(SERVICES) - {member}:
        assert f"COPY services/{other}/src" not in text


# --- PostgreSQL init --------------------------------------------------------------------------


def test_init_sql_creates_one_owned_database_and_login_role_per_service() -> None:
    sql = (COMPOSE_DIR / "postgres-init" / "01-databases.sql").read_text(encoding="utf-8")
    databases = dict(re.findall(r"^CREATE DATABASE (\w+) OWNER (\w+);", sql, re.MULTILINE))
    assert databases == {name: name for name in (*SERVICES, "gateway")}
    roles = set(re.findall(r"^CREATE ROLE (\w+) LOGIN\b", sql, re.MULTILINE))
    assert roles == set(databases)
    for name in databases:
        assert re.search(rf"^REVOKE ALL ON DATABASE {name} FROM PUBLIC;", sql, re.MULTILINE)
    assert not re.search(r"\bSUPERUSER\b", sql.replace("NOSUPERUSER", ""))


def test_init_sql_takes_passwords_from_the_postgres_container_environment(compose: dict) -> None:
    sql = (COMPOSE_DIR / "postgres-init" / "01-databases.sql").read_text(encoding="utf-8")
    needed = set(re.findall(r"^\\getenv \w+ (\w+)$", sql, re.MULTILINE))
    assert needed == {f"{name.upper()}_DB_PASSWORD" for name in (*SERVICES, "gateway")}
    assert needed <= set(compose["services"]["postgres"]["environment"])


# --- Helm -------------------------------------------------------------------------------------


def test_service_chart_has_its_templates_and_a_migrate_hook() -> None:
    chart = DEPLOY / "helm" / "service"
    meta = yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8"))
    assert meta["apiVersion"] == "v2"
    for template in ("deployment.yaml", "service.yaml", "migrate-job.yaml", "_helpers.tpl"):
        assert (chart / "templates" / template).is_file()
    job = (chart / "templates" / "migrate-job.yaml").read_text(encoding="utf-8")
    assert '"helm.sh/hook": pre-install,pre-upgrade' in job
    assert "upgrade" in job and "alembic" in job
    values = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    assert values["probes"]["readiness"]["path"] == "/health/ready"
    assert values["probes"]["liveness"]["path"] == "/health/live"


@pytest.mark.parametrize("member", [*SERVICES, "gateway"])
def test_helm_values_set_the_member_prefix_and_migrations(member: str) -> None:
    values = yaml.safe_load((DEPLOY / "helm" / "values" / f"{member}.yaml").read_text(encoding="utf-8"))
    prefix = f"{member.upper()}_"
    assert values["fullnameOverride"] == member
    assert values["image"]["repository"].endswith(f"/{member}")
    assert values["env"] and all(key.startswith(prefix) for key in values["env"])
    assert f"{prefix}NATS__URL" in values["env"]
    assert values["migrate"] == {"enabled": True, "config": f"{MEMBER_DIRS[member]}/alembic.ini"}
    assert values["existingSecret"] == f"{member}-secrets"


def test_helm_gateway_values_document_every_secret(gateway_secrets: frozenset[str]) -> None:
    # The Secret is created outside the chart (kubectl …), and the migrate Job needs it too.
    text = (DEPLOY / "helm" / "values" / "gateway.yaml").read_text(encoding="utf-8")
    header = text[: text.index("fullnameOverride:")]
    values = yaml.safe_load(text)
    for name in {*gateway_secrets, "GATEWAY_DB__URL"}:
        assert f"--from-literal={name}=" in header, name
        assert name not in values["env"], f"{name} belongs in the Secret, not in env"
    assert values["env"]["GATEWAY_ENV"] == "prod"


def test_network_policy_lets_only_the_gateway_reach_services() -> None:
    """Issue 12: gateway → services, services → NATS and PostgreSQL (and DNS), nothing else; on by default."""
    chart = DEPLOY / "helm" / "service"
    template = (chart / "templates" / "networkpolicy.yaml").read_text(encoding="utf-8")
    defaults = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))["networkPolicy"]
    assert defaults["enabled"] is True and defaults["role"] == "service"
    assert defaults["gatewayPodLabels"]["app.kubernetes.io/instance"] == "gateway"
    assert "policyTypes: [Ingress, Egress]" in template
    assert all(f"port: {p}" in template for p in (4222, 5432, 53))
    gateway = yaml.safe_load((DEPLOY / "helm" / "values" / "gateway.yaml").read_text(encoding="utf-8"))
    assert gateway["networkPolicy"]["role"] == "gateway"
    for svc in SERVICES:
        values = yaml.safe_load((DEPLOY / "helm" / "values" / f"{svc}.yaml").read_text(encoding="utf-8"))
        assert values.get("networkPolicy", {}).get("role", "service") == "service"


def test_network_policy_lets_the_prometheus_scraper_reach_metrics() -> None:
    """Issue 12: Prometheus (a configurable namespace and pod selector) reaches /metrics on the HTTP port of every
    service pod; the rule is a peer with both selectors in one entry (pods of that namespace, not either), and it
    is rendered only while metrics are on."""
    chart = DEPLOY / "helm" / "service"
    template = (chart / "templates" / "networkpolicy.yaml").read_text(encoding="utf-8")
    values = yaml.safe_load((chart / "values.yaml").read_text(encoding="utf-8"))
    scrapers = values["networkPolicy"]["metricsScrapers"]
    assert scrapers["enabled"] is True and scrapers["podLabels"] and scrapers["namespaceLabels"]
    assert values["metrics"]["path"] == "/metrics"
    rule = template[template.index("metricsScrapers }}"):template.index("egress:")]
    assert "and .Values.metrics.enabled $scrapers.enabled" in rule
    assert "podSelector:" in rule and "namespaceSelector:" in rule and "$scrapers.podLabels" in rule
    # One peer: `namespaceSelector` continues the `- podSelector` item (indented under it, no dash of its own).
    assert "- namespaceSelector" not in rule
    assert "port: {{ .Values.containerPort }}" in rule
    # /metrics is the only path the port gives without the gateway's assertion (besides the probes).
    from yishe_kit.assertion import EXEMPT_PREFIXES

    assert "/metrics" in EXEMPT_PREFIXES
