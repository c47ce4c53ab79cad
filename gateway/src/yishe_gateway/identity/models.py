from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from yishe_kit.db import UtcDateTime

from ..db import Base


class ApiUser(Base):
    """A person who signs in: bureau staff, a supervisory unit, a Party-building body, a purchaser, an organisation."""

    __tablename__ = "api_user"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    division_prefix: Mapped[str] = mapped_column(String(12), default="")
    org_uscc: Mapped[str | None] = mapped_column(String(18))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    token_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiClient(Base):
    """A system that calls with signed requests: the provincial platform, another department."""

    __tablename__ = "api_client"

    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    division_prefix: Mapped[str] = mapped_column(String(12), default="")
    rate_limit: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ClientKey(Base):
    """One AppKey of a client. The secret is never stored: it is derived from the gateway's client-key secret and
    this row's salt, so a copy of the database alone cannot sign. Rotation adds a key; revocation stamps one."""

    __tablename__ = "client_key"

    app_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("api_client.client_id"), index=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ClientNonce(Base):
    """Nonces seen within the replay window; the primary key refuses a second use."""

    __tablename__ = "client_nonce"

    app_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
