from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ApiClient, ApiUser, ClientKey, ClientNonce


async def user_by_name(session: AsyncSession, username: str) -> ApiUser | None:
    return await session.scalar(select(ApiUser).where(ApiUser.username == username))


async def client_by_name(session: AsyncSession, name: str) -> ApiClient | None:
    return await session.scalar(select(ApiClient).where(ApiClient.name == name))


async def key_with_client(session: AsyncSession, app_key: str) -> tuple[ClientKey, ApiClient] | None:
    row = (await session.execute(
        select(ClientKey, ApiClient).join(ApiClient, ApiClient.client_id == ClientKey.client_id)
        .where(ClientKey.app_key == app_key))).first()
    return (row[0], row[1]) if row else None


async def keys_of(session: AsyncSession, client_id: str) -> list[ClientKey]:
    return list(await session.scalars(select(ClientKey).where(ClientKey.client_id == client_id)
                                      .order_by(ClientKey.created_at)))


async def clients(session: AsyncSession) -> list[ApiClient]:
    return list(await session.scalars(select(ApiClient).order_by(ApiClient.name)))


async def forget_nonces_before(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(ClientNonce).where(ClientNonce.seen_at < before))
    return result.rowcount or 0
