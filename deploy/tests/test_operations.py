"""Operations (issue 15 item 6, OPS-1..3): daily jobs scheduled once per deployment (compose `scheduler`, Helm
CronJobs), compose valid for `docker compose` and the older `docker-compose`, the chart's scrape annotations and
optional ServiceMonitor; `helm lint` / `helm template` run where a helm binary exists, otherwise skipped loudly."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1]
COMPOSE = DEPLOY / "compose" / "compose.yml"
CHART = DEPLOY / "helm" / "service"
SERVICES = ("registry", "credit", "procurement", "party")
MEMBERS = (*SERVICES, "gateway")
# compose refuses to interpolate without the required secrets: any value will do for `config`.
COMPOSE_ENV = {name: "x" * 40 for name in (
    "POSTGRES_PASSWORD", "REGISTRY_DB_PASSWORD", "CREDIT_DB_PASSWORD", "PROCUREMENT_DB_PASSWORD",
    "PARTY_DB_PASSWORD", "GATEWAY_DB_PASSWORD", "GATEWAY_SIGNING_KEY", "GATEWAY_JWT__SECRET",
    "GATEWAY_CLIENT_KEY_SECRET")}


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def loud_skip(reason: str) -> None:
    warnings.warn(f"SKIPPED: {reason}", stacklevel=2)
    print(f"\n##### SKIPPED: {reason} #####")
    pytest.skip(reason)


def test_compose_has_no_top_level_name_when_old_docker_compose_must_read_it() -> None:
    """OPS-2: `docker-compose` 1.x refuses a top-level `name:` (checked by hand with 1.29.2); `-p yishe` names it."""
    assert "name" not in compose()
    assert "-p yishe" in COMPOSE.read_text(encoding="utf-8")


def test_compose_scheduler_calls_every_service_daily_job_once() -> None:
    """OPS-1: one `scheduler` container (no replicas) runs yishe_kit.scheduler against the four services."""
    scheduler = compose()["services"]["scheduler"]
    command = scheduler["command"]
    assert command[:3] == ["python", "-m", "yishe_kit.scheduler"]
    assert [c for c in command if c.startswith("http://")] == [f"http://{s}:8000" for s in SERVICES]
    assert "deploy" not in scheduler or scheduler["deploy"].get("replicas", 1) == 1
    assert set(scheduler["depends_on"]) == set(SERVICES)


@pytest.mark.parametrize("cli", [("docker", "compose"), ("docker-compose",)], ids=["docker compose", "docker-compose"])
def test_compose_config_is_valid_when_the_cli_is_installed(cli: tuple[str, ...]) -> None:
    """OPS-2: both the Compose v2 plugin and the old standalone docker-compose accept the file."""
    if shutil.which(cli[0]) is None:
        loud_skip(f"{' '.join(cli)} is not installed")
    if cli == ("docker", "compose"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            loud_skip("the docker CLI has no compose plugin")
    done = subprocess.run([*cli, "-p", "yishe", "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True,
                          check=False, env={**os.environ, **COMPOSE_ENV}, cwd=COMPOSE.parent)
    assert done.returncode == 0, done.stderr


def test_chart_has_a_forbid_concurrency_daily_cronjob_in_shanghai_time() -> None:
    """OPS-1: one CronJob per service, never overlapping itself, at 00:10 Asia/Shanghai, through the Service."""
    template = (CHART / "templates" / "daily-cronjob.yaml").read_text(encoding="utf-8")
    assert "concurrencyPolicy: Forbid" in template and "yishe_kit.scheduler" in template and "--once" in template
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert values["dailyJob"] | {"enabled": False} == values["dailyJob"]  # off unless a service turns it on
    assert values["dailyJob"]["timeZone"] == "Asia/Shanghai" and values["dailyJob"]["schedule"] == "10 0 * * *"
    for member in MEMBERS:
        member_values = yaml.safe_load((DEPLOY / "helm" / "values" / f"{member}.yaml").read_text(encoding="utf-8"))
        assert member_values.get("dailyJob", {}).get("enabled", False) is (member != "gateway"), member


def test_chart_annotates_pods_for_scraping_and_offers_a_service_monitor() -> None:
    """OPS-3: prometheus.io/* pod annotations when metrics are on; a ServiceMonitor only when asked for."""
    deployment = (CHART / "templates" / "deployment.yaml").read_text(encoding="utf-8")
    assert '"prometheus.io/scrape" "true"' in deployment and "prometheus.io/path" in deployment
    monitor = (CHART / "templates" / "servicemonitor.yaml").read_text(encoding="utf-8")
    assert monitor.startswith("{{- if and .Values.metrics.enabled .Values.metrics.serviceMonitor.enabled }}")
    assert "kind: ServiceMonitor" in monitor and "path: {{ .Values.metrics.path }}" in monitor


def _helm() -> str:
    helm = shutil.which("helm")
    if helm is None:
        loud_skip("helm is not installed (no Debian package or PyPI wheel ships it): helm lint/template not run")
    return helm


@pytest.mark.parametrize("member", MEMBERS)
def test_helm_lint_and_template_pass_for_each_member(member: str) -> None:
    """OPS-3: the chart lints and renders with each member's values, with and without the ServiceMonitor."""
    helm = _helm()
    values = str(DEPLOY / "helm" / "values" / f"{member}.yaml")
    common = ["-f", values, "--set", "image.tag=test"]
    lint = subprocess.run([helm, "lint", str(CHART), *common], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    rendered = subprocess.run([helm, "template", member, str(CHART), *common,
                               "--set", "metrics.serviceMonitor.enabled=true"],
                              capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    kinds = {doc["kind"] for doc in yaml.safe_load_all(rendered.stdout) if doc}
    assert {"Deployment", "Service", "ServiceMonitor"} <= kinds
    assert ("CronJob" in kinds) is (member != "gateway")


def test_the_daily_cronjob_can_reach_its_service_and_mounts_its_key_once() -> None:
    """OPS-1 with issue 12's NetworkPolicy: the service admits its own daily CronJob's pods (component daily-job,
    not api, so the gateway-only rule refused them); the pod spec has one `volumes:` at the pod level (a stray copy
    inside `imagePullSecrets` rendered invalid YAML whenever pull secrets were set)."""
    policy = (CHART / "templates" / "networkpolicy.yaml").read_text(encoding="utf-8")
    rule = policy[policy.index("if .Values.dailyJob.enabled"):policy.index("metricsScrapers }}")]
    assert "app.kubernetes.io/component: daily-job" in rule and "port: {{ .Values.containerPort }}" in rule
    cronjob = (CHART / "templates" / "daily-cronjob.yaml").read_text(encoding="utf-8")
    volumes = [line for line in cronjob.splitlines() if line.strip() == "volumes:"]
    pod_level = next(line for line in cronjob.splitlines() if line.strip() == "restartPolicy: Never")
    indent = len(pod_level) - len(pod_level.lstrip())
    assert len(volumes) == 1 and len(volumes[0]) - len(volumes[0].lstrip()) == indent
    pulls = cronjob[cronjob.index("with .Values.imagePullSecrets"):cronjob.index("securityContext:")]
    assert "volumes" not in pulls and pulls.rstrip().endswith("{{- end }}")
