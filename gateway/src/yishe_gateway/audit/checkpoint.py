"""Signed checkpoints of the audit chain's head, kept outside the gateway's database (AUDIT-2, issue 12).

After entries are committed, the head (seq, hash) is signed with the gateway's assertion key (ES256/EdDSA JWT,
`aud` audit-checkpoint) and appended to the JetStream stream `AUDIT` (subject `GATEWAY_AUDIT__CHECKPOINT_SUBJECT`,
default `audit.checkpoint`, one message per checkpoint, deduplicated by seq). Verification compares the chain with
the latest checkpoint: a chain cut short and its head rewound (fewer entries than a checkpoint vouched for), or an
entry rewritten and everything after it rehashed (the hash at the checkpoint's seq differs), is reported even when
the chain is consistent in itself. The provincial platform takes the signed checkpoints from
`GET /v1/audit/checkpoints`.

Checkpoints follow the writes asynchronously (coalesced: the latest head, at most one publish in flight): requests
never wait for NATS. While NATS is away the latest entries are covered by the HMAC links only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import jwt
import structlog
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

from yishe_kit.assertion import ALGORITHMS, ISSUER
from yishe_kit.bus import Bus
from yishe_kit.tasks import stop as stop_tasks

from ..upstream import minter_for

log = structlog.get_logger("yishe.gateway.audit.checkpoint")
STREAM = "AUDIT"
AUDIENCE = "audit-checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: int
    token: str


class Checkpoints:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.minter = minter_for(settings)
        self.bus = Bus(settings.nats, name="gateway-audit")
        self.subject = settings.audit.checkpoint_subject
        self._wanted = asyncio.Event()
        self._head: tuple[int, str] | None = None
        self._published: tuple[int, str] | None = None
        self._task: asyncio.Task | None = None
        self._ready = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-checkpoints")

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks(self._task)
        await self.bus.close()

    def committed(self, seq: int, digest: str) -> None:
        """The chain's head after a commit: checkpoint it (soon, without waiting)."""
        if self._head is None or seq > self._head[0]:
            self._head = (seq, digest)
            self._wanted.set()

    def sign(self, seq: int, digest: str) -> str:
        claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": int(time.time()), "seq": seq, "hash": digest}
        return jwt.encode(claims, self.minter.key, algorithm=self.minter.algorithm)

    def read(self, token: str) -> Checkpoint:
        """A checkpoint whose signature verifies with the gateway's key (jwt.InvalidTokenError otherwise)."""
        claims = jwt.decode(token, self.minter.key.public_key(), algorithms=list(ALGORITHMS), audience=AUDIENCE,
                            issuer=ISSUER)
        return Checkpoint(int(claims["seq"]), str(claims["hash"]), int(claims["iat"]), token)

    @property
    def js(self) -> JetStreamContext:
        assert self.bus.js is not None  # checked by _stream() first
        return self.bus.js

    async def _stream(self) -> bool:
        if not self.bus.connected or self.bus.js is None:
            return False
        if not self._ready:
            try:
                await self.bus.js.stream_info(STREAM)
            except NotFoundError:
                await self.bus.js.add_stream(StreamConfig(name=STREAM, subjects=["audit.>"]))
            self._ready = True
        return True

    async def _run(self) -> None:
        connecting = asyncio.create_task(self.bus.connect())
        try:
            while True:
                await self._wanted.wait()
                self._wanted.clear()
                head = self._head
                if head is None or head == self._published:
                    continue
                try:
                    if not await self._stream():
                        raise ConnectionError("NATS not connected")
                    await self.bus.publish(self.subject, self.sign(*head).encode(),
                                           msg_id=f"{self.subject}-{head[0]}")
                    self._published = head
                except Exception as exc:  # retried with the then-latest head
                    log.warning("audit checkpoint not published", seq=head[0], error=repr(exc))
                    await asyncio.sleep(1.0)
                    self._wanted.set()
        finally:
            connecting.cancel()

    async def latest(self) -> Checkpoint | None:
        """The last checkpoint in the stream (its signature checked), None when there is none or NATS is away."""
        if not await self._stream():
            return None
        try:
            msg = await self.js.get_last_msg(STREAM, self.subject)
        except NotFoundError:
            return None
        return self.read((msg.data or b"").decode())

    async def listing(self, after: int, limit: int) -> list[Checkpoint]:
        """Checkpoints in stream order after stream sequence `after` (the export for the provincial platform)."""
        if not await self._stream():
            return []
        info = await self.js.stream_info(STREAM)
        found: list[Checkpoint] = []
        for seq in range(max(after + 1, info.state.first_seq), info.state.last_seq + 1):
            if len(found) >= limit:
                break
            with contextlib.suppress(NotFoundError):
                msg = await self.js.get_msg(STREAM, seq)
                if msg.subject == self.subject:
                    found.append(self.read((msg.data or b"").decode()))
        return found
