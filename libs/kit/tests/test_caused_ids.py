"""Issue 16 (restore drill): an event emitted while a consumer handles another one has an id derived from its cause,
the same whichever way the event is handled again (alone, set-based, after a restore); requests and daily jobs, with
no event as their cause, give new ids."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select

from yishe_contracts.envelope import Envelope
from yishe_kit.bus import event_context, handling
from yishe_kit.logging import causation_id_var
from yishe_kit.outbox import Outbox

from .conftest import metadata
from .test_effective_date import opened, registered

OUTBOX = metadata.tables["outbox"]


async def _emitted_ids(sessionmaker) -> list[str]:
    async with sessionmaker() as s:
        return [Envelope.model_validate_json(p).id for p in (await s.execute(select(OUTBOX.c.payload))).scalars()]


async def test_handling_an_event_again_emits_the_same_event_id(sessionmaker) -> None:
    outbox = Outbox(OUTBOX, "credit")
    cause = Envelope.wrap(registered(date(2026, 1, 5)), source="registry")
    ids = []
    for _ in range(2):  # the first handling, then the same event replayed into a database restored to before it
        with event_context(cause, "credit"):
            async with sessionmaker() as s:
                ids.append((await outbox.emit(s, opened())).id)
                ids.append((await outbox.emit(s, opened())).id)  # a second event of one type and subject: ordinal 1
                await s.rollback()
    assert ids[0] == ids[2] and ids[1] == ids[3] and ids[0] != ids[1]
    with event_context(cause, "cultivation"):  # another service handling the same event emits its own events
        async with sessionmaker() as s:
            assert (await outbox.emit(s, opened())).id not in ids
            await s.rollback()
    with handling("credit"):  # set-based: many causes in one statement, each event as `emit` would have named it
        async with sessionmaker() as s, s.begin():
            [caused] = await outbox.emit_caused(s, [(opened(), cause)])
    assert caused.id == ids[0] and caused.causationid == cause.id


async def test_events_without_an_event_as_cause_get_new_ids(sessionmaker) -> None:
    """A request (even one naming a causation id of its own) and a daily job: new UUIDv7 ids, never derived."""
    outbox = Outbox(OUTBOX, "credit")
    token = causation_id_var.set("a-request-header")
    try:
        async with sessionmaker() as s, s.begin():
            await outbox.emit(s, opened())
            await outbox.emit_many(s, [opened(), opened()])
    finally:
        causation_id_var.reset(token)
    ids = await _emitted_ids(sessionmaker)
    assert len(set(ids)) == 3 and {UUID(i).version for i in ids} == {7}
