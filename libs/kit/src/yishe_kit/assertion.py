"""Service identity: the gateway vouches for every call it forwards with a short-lived signed assertion.

One header, `X-Yishe-Assertion`: a JWT signed with the gateway's private key (ES256: ECDSA P-256; an Ed25519 key,
EdDSA, works too), claims
`iss`=gateway, `aud`=the service name, `role`, `actor`, `jurisdiction` (the division prefix), `request_id`, `iat`,
`exp` (60 s after issue) and `jti`. Services hold only the public key; the caller they act for (`Principal`) is read
from the verified claims and nothing else (`X-Yishe-Role/Actor/Division` headers are ignored).

`AssertionGate` is the one check, outermost in every service's ASGI stack (yishe_kit.app): without a valid
assertion a request is refused with 401 problem+json naming why, before any route, dependency or read-model lane
runs; `/health/*` and `/metrics` are exempt (probes and scrapers carry no identity; no business data there). The
key is parsed once per process; a check is one ECDSA verification plus PyJWT's decoding (measured here, CPU: P-256
verify ~60 µs, Ed25519 ~90 µs, signing ~22 µs both: hence ES256 by default; ~108 µs per check through PyJWT).

Keys (PEM): `<SVC>_ASSERTION__PUBLIC_KEY` (text) or `<SVC>_ASSERTION__PUBLIC_KEY_FILE` on a service,
`GATEWAY_ASSERTION__PRIVATE_KEY` / `GATEWAY_ASSERTION__PRIVATE_KEY_FILE` on the gateway. `make run` generates a
development pair in the data directory; outside `env=dev` a service or the gateway refuses to start without one.

Limits: no replay cache (a captured assertion works for its 60 s at the one service it names; services are reachable
only from the gateway, NetworkPolicy); rotating the key means restarting the gateway and services with the new pair.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, Field, SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import problem_response
from .principal import ROLES, SCOPE_KEY, Principal

PublicKey = ec.EllipticCurvePublicKey | Ed25519PublicKey
PrivateKey = ec.EllipticCurvePrivateKey | Ed25519PrivateKey
HEADER = "X-Yishe-Assertion"
HEADER_BYTES = HEADER.lower().encode()
ISSUER = "gateway"
ALGORITHMS = ("ES256", "EdDSA")
TTL_SECONDS = 60
# Probes and Prometheus carry no identity; neither serves business data.
EXEMPT_PREFIXES = ("/health/", "/metrics")


class AssertionSettings(BaseModel):
    """A service's side: the gateway's public key (PEM text or a file) and the accepted clock skew."""

    public_key: str = Field(default="", description="the gateway's public key, PEM (P-256 or Ed25519)")
    public_key_file: str = Field(default="", description="or a file holding it")
    leeway_seconds: float = Field(default=5.0, ge=0, le=60)

    def pem(self) -> str:
        if self.public_key:
            return self.public_key
        if self.public_key_file:
            return Path(self.public_key_file).read_text()
        return ""


class GatewayAssertionSettings(BaseModel):
    """The gateway's side: its private key (PEM text or a file) and the assertions' lifetime."""

    private_key: SecretStr = Field(default=SecretStr(""), description="P-256 or Ed25519 private key, PEM (PKCS#8)")
    private_key_file: str = Field(default="", description="or a file holding it")
    ttl_seconds: int = Field(default=TTL_SECONDS, gt=0, le=300)

    def pem(self) -> str:
        if self.private_key.get_secret_value():
            return self.private_key.get_secret_value()
        if self.private_key_file:
            return _key_file(self.private_key_file)
        return ""


KEY_FILE_REREAD_SECONDS = 1.0
_key_files: dict[str, tuple[float, str]] = {}


def _key_file(path: str) -> str:
    """The key file's text, read again at most once a second: the 一社一码 fan-out asks for the key on every cold
    lookup (to notice a rotated file), and a read was ~12 % of the gateway's CPU there (open, read, close; py-spy,
    bench/gateway_profile.py). A replaced file is taken up within a second."""
    now = time.monotonic()
    held = _key_files.get(path)
    if held is None or now >= held[0]:
        held = _key_files[path] = (now + KEY_FILE_REREAD_SECONDS, Path(path).read_text())
    return held[1]


# --- keys --------------------------------------------------------------------------------------------------------

def generate_pem_pair() -> tuple[str, str]:
    """A new ECDSA P-256 key pair (ES256) as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def write_pem_pair(directory: Path) -> tuple[Path, Path]:
    """Make `directory/assertion-private.pem` (mode 0600) and `assertion-public.pem` unless both exist."""
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / "assertion-private.pem", directory / "assertion-public.pem"
    if not (private.exists() and public.exists()):
        private_pem, public_pem = generate_pem_pair()
        private.touch(mode=0o600)
        private.write_text(private_pem)
        public.write_text(public_pem)
    return private, public


def algorithm_of(key: object) -> str:
    """ES256 for a P-256 key, EdDSA for an Ed25519 key; nothing else is accepted."""
    if isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)):
        return "EdDSA"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)) and key.curve.name == "secp256r1":
        return "ES256"
    raise ValueError("an assertion key must be ECDSA P-256 (ES256) or Ed25519 (EdDSA)")


@lru_cache(maxsize=8)
def load_public_key(pem: str) -> PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    algorithm_of(key)
    return cast(PublicKey, key)


@lru_cache(maxsize=8)
def load_private_key(pem: str) -> PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    algorithm_of(key)
    return cast(PrivateKey, key)


# --- minting (the gateway; tests through yishe_kit.testing) -----------------------------------------------------

class Minter:
    """Signs assertions with one private key (the gateway holds one for its lifetime)."""

    def __init__(self, private_pem: str, ttl_seconds: int = TTL_SECONDS, issuer: str = ISSUER):
        self.key = load_private_key(private_pem)
        self.algorithm = algorithm_of(self.key)
        self.ttl = ttl_seconds
        self.issuer = issuer

    def mint(self, audience: str | list[str], *, role: str, actor: str, jurisdiction: str = "", request_id: str = "",
             now: float | None = None, ttl_seconds: int | None = None) -> str:
        issued = int(time.time() if now is None else now)
        claims = {"iss": self.issuer, "aud": audience, "iat": issued, "exp": issued + (ttl_seconds or self.ttl),
                  "jti": uuid.uuid4().hex, "role": role, "actor": actor, "jurisdiction": jurisdiction,
                  "request_id": request_id}
        return jwt.encode(claims, self.key, algorithm=self.algorithm)


# --- verification (every service) -------------------------------------------------------------------------------

class Refused(Exception):
    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


VERIFIED_MAX = 4096


@dataclass(frozen=True)
class Verifier:
    """Checks one service's incoming assertions against the gateway's public key.

    A token that verified is remembered (up to VERIFIED_MAX, then forgotten all at once) with its expiry: the same
    bytes under the same key verify the same way, so a repeat costs a dict lookup instead of an ECDSA verification
    (~108 µs). Its expiry is checked on every use, exactly as PyJWT does (with the leeway). The gateway reuses its
    own fan-out assertion for a while (yishe_gateway.upstream.FanoutAssertion), which makes this count."""

    audience: str
    key: PublicKey | None
    leeway: float = 5.0
    verified: dict[str, tuple[Principal, float]] = field(default_factory=dict, compare=False, repr=False)

    def principal(self, token: str | None) -> Principal:
        """The caller the gateway vouched for, or Refused naming why."""
        if token:
            held = self.verified.get(token)
            if held is not None:
                if time.time() <= held[1] + self.leeway:
                    return held[0]
                del self.verified[token]  # its own `exp` has passed: as PyJWT would say
                raise Refused("assertion_expired", "调用凭证已过期", "the assertion has expired")
        principal, expires = self._verify(token)
        if len(self.verified) >= VERIFIED_MAX:
            self.verified.clear()
        self.verified[cast(str, token)] = (principal, expires)
        return principal

    def _verify(self, token: str | None) -> tuple[Principal, float]:
        if not token:
            raise Refused("assertion_missing", f"缺少网关签发的调用凭证（{HEADER}）",
                          f"no {HEADER}: services accept calls vouched for by the gateway only")
        if self.key is None:
            raise Refused("assertion_key_missing", "本服务未配置网关公钥，拒绝所有调用",
                          "this service has no gateway public key configured and refuses every call")
        try:
            # The algorithm is the key's, never the token's header's choice (no alg confusion).
            claims = jwt.decode(token, self.key, algorithms=[algorithm_of(self.key)], audience=self.audience,
                                issuer=ISSUER,
                                leeway=self.leeway,
                                options={"require": ["exp", "iat", "iss", "aud", "jti", "role", "actor"]})
        except jwt.ExpiredSignatureError:
            raise Refused("assertion_expired", "调用凭证已过期", "the assertion has expired") from None
        except jwt.InvalidAudienceError:
            raise Refused("assertion_wrong_audience", f"调用凭证不是签发给本服务（{self.audience}）的",
                          f"the assertion is not for this service ({self.audience})") from None
        except jwt.InvalidIssuerError:
            raise Refused("assertion_wrong_issuer", "调用凭证不是网关签发的",
                          "the assertion was not issued by the gateway") from None
        except jwt.InvalidSignatureError:
            raise Refused("assertion_bad_signature", "调用凭证签名无效（被篡改或非网关密钥签发）",
                          "the assertion's signature does not verify (tampered or another key)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Refused("assertion_incomplete", f"调用凭证缺少声明 {exc.claim}",
                          f"the assertion lacks the claim {exc.claim}") from None
        except jwt.InvalidTokenError as exc:
            raise Refused("assertion_malformed", "调用凭证格式无效", f"the assertion is malformed ({exc})") from None
        role, actor, division = claims.get("role"), claims.get("actor"), claims.get("jurisdiction") or ""
        if role not in ROLES or not isinstance(actor, str) or not isinstance(division, str):
            raise Refused("assertion_malformed", "调用凭证中的角色或辖区无效",
                          "the assertion's role, actor or jurisdiction is invalid")
        return Principal(actor=actor, role=role, division_prefix=division), float(claims["exp"])


def verifier_for(service_name: str, settings: AssertionSettings) -> Verifier:
    pem = settings.pem()
    return Verifier(service_name, load_public_key(pem) if pem else None, settings.leeway_seconds)


def header_value(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == HEADER_BYTES:
            return value.decode("latin-1")
    return None


def principal_of(scope: Mapping) -> Principal | None:
    """The verified caller AssertionGate left in the request scope (None only on exempt paths)."""
    found: Principal | None = scope.get("state", {}).get(SCOPE_KEY)
    return found


class AssertionGate:
    """Refuses every request without a valid gateway assertion (health probes excepted) and leaves the verified
    Principal in `scope["state"]` for PrincipalDep and the read-model lanes."""

    def __init__(self, app: ASGIApp, verifier: Verifier) -> None:
        self.app = app
        self.verifier = verifier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        try:
            principal = self.verifier.principal(header_value(scope["headers"]))
        except Refused as exc:
            problem = {"field": HEADER, "rule": None, "message_zh": exc.message_zh, "message": exc.message_en}
            response = problem_response(401, exc.code, exc.message_en, [problem])
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[SCOPE_KEY] = principal
        await self.app(scope, receive, send)
