from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=500)


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    division: str


class IdentityRead(BaseModel):
    kind: str
    role: str
    actor: str
    name: str
    division: str
    client: str | None
    org_uscc: str | None


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._@\-]+$")
    password: str = Field(min_length=8, max_length=500)
    role: str
    division: str = ""
    org_uscc: str | None = None
    display_name: str | None = Field(default=None, max_length=200)


class UserUpdate(BaseModel):
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=500)
    revoke_tokens: bool = False


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    role: str
    division_prefix: str
    org_uscc: str | None
    active: bool
    created_at: datetime


class ClientCreate(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    role: str
    division: str = ""
    rate_limit: str | None = Field(default=None, examples=["200/second"])


class KeyRotate(BaseModel):
    retire_previous_after_seconds: int | None = Field(default=None, ge=0,
                                                      description="the older keys expire after this grace period")


class IssuedKeyRead(BaseModel):
    client_id: str
    name: str
    role: str
    division: str
    app_key: str
    secret: str = Field(description="shown once; sign requests with it (see the README)")


class KeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    app_key: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ClientRead(BaseModel):
    client_id: str
    name: str
    role: str
    division: str
    rate_limit: str | None
    active: bool
    keys: list[KeyRead]
