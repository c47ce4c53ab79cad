"""Party's event subscriptions."""

from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .config import Settings
from .record import consumers as record_consumers


def subscriptions(settings: Settings, outbox: Outbox) -> list[Subscription]:
    return [
        Subscription(OrganisationRegistered.subject_name, OrganisationRegistered,
                     record_consumers.on_organisation_registered(outbox, settings.capture_task_days), "party"),
    ]
