"""Each service subscribes only to subjects that `subjects.py` lists it as a consumer of (STYLE §8)."""

from __future__ import annotations

import importlib

import pytest

from yishe_contracts.subjects import SUBJECTS

SERVICES = ["registry", "credit", "procurement", "party", "cultivation"]


@pytest.mark.parametrize("service", SERVICES)
def test_subscriptions_are_declared_consumers_when_service_is_built(service: str) -> None:
    config = importlib.import_module(f"yishe_{service}.config")
    broker = importlib.import_module(f"yishe_{service}.broker")
    main = importlib.import_module(f"yishe_{service}.main")
    from yishe_kit.clock import Clock
    from yishe_kit.context import subscriptions
    from yishe_kit.outbox import Outbox

    subs = subscriptions(service, broker.CONSUMERS, outbox=Outbox(main.metadata.tables["outbox"], service),
                         settings=config.Settings(), clock=Clock())
    for sub in subs:
        assert sub.subject in SUBJECTS, f"{service} subscribes to undeclared {sub.subject}"
        assert service in SUBJECTS[sub.subject].consumers, f"{service} is not a declared consumer of {sub.subject}"
        assert SUBJECTS[sub.subject].model is sub.model
        assert sub.consumer == service
    assert len({s.durable for s in subs}) == len(subs)
