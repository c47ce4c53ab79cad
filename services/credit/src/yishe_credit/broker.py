"""Credit's event subscriptions."""

from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .config import Settings
from .profile import consumers as profile_consumers


def subscriptions(settings: Settings, outbox: Outbox) -> list[Subscription]:
    return [
        Subscription(OrganisationRegistered.subject_name, OrganisationRegistered,
                     profile_consumers.on_organisation_registered(outbox), "credit"),
    ]
