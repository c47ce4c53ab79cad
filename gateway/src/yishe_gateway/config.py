"""Gateway settings; env prefix `GATEWAY_`, nested with `__` (e.g. `GATEWAY_UPSTREAMS__CREDIT`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from yishe_kit.assertion import GatewayAssertionSettings
from yishe_kit.settings import RUNS_HELP, DatabaseSettings, NatsSettings, Runs, TelemetrySettings, data_dir

DEV_SIGNING_KEY = "dev-only-signing-key"
DEV_JWT_SECRET = "dev-only-jwt-secret-do-not-use-in-production"
DEV_CLIENT_KEY_SECRET = "dev-only-client-key-secret-do-not-use-in-production"
DEV_AUDIT_KEY = "dev-only-audit-hmac-key-do-not-use-in-production"


class AuditSettings(BaseModel):
    hmac_key: SecretStr = Field(default=SecretStr(DEV_AUDIT_KEY),
                                description="keys the audit chain's links; kept outside the database")
    checkpoints: bool = Field(default=True, description="signed checkpoints of the head in the NATS stream AUDIT")
    checkpoint_subject: str = Field(default="audit.checkpoint", pattern=r"^audit\.[A-Za-z0-9_.-]+$",
                                    description="one chain, one subject (a second platform on the same NATS: another)")


class Upstreams(BaseModel):
    """Base URL of each service the gateway may call: this is the allow-list of the proxy."""

    registry: str = "http://127.0.0.1:8101"
    credit: str = "http://127.0.0.1:8102"
    procurement: str = "http://127.0.0.1:8103"
    party: str = "http://127.0.0.1:8104"
    cultivation: str = "http://127.0.0.1:8105"

    def get(self, service: str) -> str | None:
        return getattr(self, service) if service in type(self).model_fields else None


class JwtSettings(BaseModel):
    secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    ttl_seconds: int = Field(default=3600, gt=0)
    dev_ttl_seconds: int = Field(default=7 * 86400, gt=0, description="lifetime of the token `make run` prints")
    issuer: str = "yishe-gateway"
    audience: str = "yishe"


class HmacSettings(BaseModel):
    window_seconds: int = Field(default=300, gt=0, description="accepted clock skew; nonces are kept twice as long")


class BreakerSettings(BaseModel):
    failures: int = Field(default=5, ge=1, description="consecutive failures that open an upstream's circuit")
    cooldown_seconds: float = Field(default=5.0, gt=0, description="open time before one trial call")


class CacheSettings(BaseModel):
    max_entries: int = Field(default=100_000, ge=0, description="0 disables the profile cache")
    max_bytes: int = Field(default=32 * 1024**2, ge=0, description=(
        "and no more than this of held profiles (their JSON and rendered views): the oldest go first. A profile "
        "held as a dict cost ~17 KB: 10,000 of them grew the gateway to 295 MB"))
    max_age_seconds: float = Field(default=300.0, gt=0, description="safety net should an event be missed")
    incomplete_ttl_seconds: float = Field(default=2.0, gt=0, description="a profile with pending/missing sources")
    settle_seconds: float = Field(default=1.0, ge=0, description=(
        "second refresh after an event, for read models fed by the same event; and the quiet (no event heard) a new "
        "registration's load ahead of its first scan waits for"))
    warm_max_wait_seconds: float = Field(default=30.0, gt=0, description=(
        "a new registration's load ahead of its first scan waits for no event to be heard for `settle_seconds`, "
        "but no longer than this"))
    warm_pending_max: int = Field(default=10_000, ge=0, description=(
        "registrations waiting to be loaded ahead; beyond, one is loaded by its first lookup"))
    background_loads: int = Field(default=8, ge=1,
                                  description="at most this many warm-ups and event refreshes loading at once; beyond "
                                              "(a bulk import's events) an entry is left stale or absent and loaded "
                                              "by its next lookup: no fan-out storm")


class FanoutSettings(BaseModel):
    """The cold lookup's reads of each service, gathered (yishe_gateway.profile.gather)."""

    in_flight: int = Field(default=2, ge=1, description=(
        "requests out to one service at a time; the fragments wanted meanwhile go in the next one"))
    max_codes: int = Field(default=64, ge=1, le=256, description="codes in one gathered read (the services take 256)")


class RateLimits(BaseModel):
    """`limits` strings per caller; a system client's own `rate_limit` overrides `client`."""

    anonymous: str = "50/second"
    user: str = "50/second"
    client: str = "100/second"
    sign_in: str = "10/minute"
    storage_uri: str = Field(default="nats-kv://", description=(
        "`nats-kv://`: counters shared by every replica in a NATS KV bucket on the gateway's NATS (EDGE-5); "
        "`memory://`: this process only (tests); or another `limits` storage URI"))
    bucket: str = Field(default="yishe_rate_limit", pattern=r"^[A-Za-z0-9_-]+$", description="the KV bucket")
    sync_seconds: float = Field(default=0.05, gt=0, le=5, description="how often a replica shares its counts")
    max_age_seconds: float = Field(default=600.0, ge=60, description="a count is dropped this long after its last "
                                   "update (a longer window restarts after that long without a hit)")


class WebhookSettings(BaseModel):
    timeout_seconds: float = Field(default=5.0, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    backoff_base_seconds: float = Field(default=1.0, gt=0)
    backoff_max_seconds: float = Field(default=600.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
    enabled: bool = True


class GatewayNats(NatsSettings):
    """The gateway's NATS settings: its consumers (the change feed, webhooks) linger 0.2 s by default
    (`GATEWAY_NATS__LINGER_SECONDS`). A feed entry a fifth of a second later is unseen by anyone, and at a registration
    the services' own consumers have the cores first. A subclass's default, not a `default_factory`: it holds when
    other `GATEWAY_NATS__…` variables are set (the launcher sets the URL)."""

    linger_seconds: float = Field(0.2, ge=0, le=5)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_nested_delimiter="__")

    env: str = "dev"
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nats: GatewayNats = Field(default_factory=GatewayNats)
    events_enabled: bool = Field(default=True, description="consume the services' events (cache, change feed)")
    runs: Runs = Field("all", description=RUNS_HELP + "; the gateway's consumers are its change feed's, the held "
                       "profiles' invalidation stays with the API")
    upstreams: Upstreams = Field(default_factory=Upstreams)
    upstream_timeout_seconds: float = Field(default=1.0, gt=0)
    upstream_timeouts: dict[str, float] = Field(default_factory=dict, description="per-service override")
    proxy_timeout_seconds: float = Field(
        default=10.0, gt=0,
        description="limit on one proxied API call (`/api/<svc>/…`): the profile fan-out keeps its short "
                    "`upstream_timeout_seconds`, but a write or a list must not be cut off at 1 s on a busy machine "
                    "while the service goes on and commits it (long work is a job, 202, and never waits on this)")
    proxy_timeouts: dict[str, float] = Field(default_factory=dict, description="per-service override")
    public_base_url: str = "http://127.0.0.1:8000"
    authority_name: str = "温州市民政局"
    colour_mode: Literal["five", "three"] = "five"
    """CODE-3 as the credit service runs it (`CREDIT_COLOUR__MODE`): the public page explains these colours."""
    signing_key: SecretStr = SecretStr(DEV_SIGNING_KEY)
    client_key_secret: SecretStr = SecretStr(DEV_CLIENT_KEY_SECRET)
    jwt: JwtSettings = Field(default_factory=JwtSettings)
    hmac: HmacSettings = Field(default_factory=HmacSettings)
    breaker: BreakerSettings = Field(default_factory=BreakerSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    fanout: FanoutSettings = Field(default_factory=FanoutSettings)
    rate_limit: RateLimits = Field(default_factory=RateLimits)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    assertion: GatewayAssertionSettings = Field(default_factory=GatewayAssertionSettings,
                                                description="key vouching for forwarded calls (yishe_kit.assertion)")
    trusted_proxies: list[str] = Field(default_factory=list,
                                       description="CIDRs whose X-Forwarded-For is believed (a load balancer); none "
                                                   "by default: the socket peer is the client")
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    upload_routes: list[str] = Field(
        default_factory=lambda: ["registry POST /v1/exchange/import-jobs"],
        description="`<service> <METHOD> <path regex>` whose body is streamed to the service as it arrives, under "
                    "`upload_max_bytes` instead of `max_body_bytes`, with no total time limit (long uploads)")
    upload_max_bytes: int = Field(default=2 * 1024**3, gt=0, description="largest streamed upload (413 beyond)")
    upload_idle_timeout_seconds: float = Field(default=300.0, gt=0,
                                               description="an upload is cut off after this long without progress")
    batch_max: int = Field(default=100, ge=1, le=1000)
    anonymous_writes: list[str] = Field(
        default_factory=lambda: ["credit POST /v1/complaints", "registry POST /v1/names/check"],
        description="`<service> <METHOD> <path regex>` an anonymous caller may send (fullmatch on the service path)")
    log_level: str = "INFO"
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> Settings:
        if not self.db.url:
            self.db.url = f"sqlite+aiosqlite:///{data_dir() / 'gateway.db'}"
        # Anyone who knows a placeholder could forge codes, tokens or client signatures: refuse them for real use.
        for name, value, placeholder in (
            ("GATEWAY_SIGNING_KEY", self.signing_key, DEV_SIGNING_KEY),
            ("GATEWAY_JWT__SECRET", self.jwt.secret, DEV_JWT_SECRET),
            ("GATEWAY_CLIENT_KEY_SECRET", self.client_key_secret, DEV_CLIENT_KEY_SECRET),
            ("GATEWAY_AUDIT__HMAC_KEY", self.audit.hmac_key, DEV_AUDIT_KEY),
        ):
            secret = value.get_secret_value()
            if not secret:
                raise ValueError(f"{name} must not be empty")
            if self.env != "dev" and secret == placeholder:
                raise ValueError(f"{name} must be set to a real secret outside env=dev")
            if self.env != "dev" and len(secret) < 32:
                raise ValueError(f"{name} must have at least 32 characters outside env=dev (HMAC-SHA256 key)")
        key = self.assertion
        if self.env != "dev" and not (key.private_key.get_secret_value() or key.private_key_file):
            raise ValueError("GATEWAY_ASSERTION__PRIVATE_KEY or GATEWAY_ASSERTION__PRIVATE_KEY_FILE (P-256 or "
                             "Ed25519, PEM) must be set outside env=dev: services refuse calls the gateway cannot "
                             "vouch for")
        return self

    def timeout_for(self, service: str) -> float:
        """The profile fan-out's limit for one service."""
        return self.upstream_timeouts.get(service, self.upstream_timeout_seconds)

    def proxy_timeout_for(self, service: str) -> float:
        """The limit on one API call forwarded to a service (and the complaint form's write)."""
        return self.proxy_timeouts.get(service, self.proxy_timeout_seconds)


@lru_cache
def get_settings() -> Settings:
    return Settings()
