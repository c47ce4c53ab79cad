"""Procurement's event subscriptions: the bidder read model."""

from yishe_contracts.events.credit import CreditProfileOpened
from yishe_contracts.events.registry import OrganisationRegistered
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .bidder import consumers as bidder_consumers
from .config import Settings


def subscriptions(settings: Settings, outbox: Outbox) -> list[Subscription]:
    return [
        Subscription(OrganisationRegistered.subject_name, OrganisationRegistered,
                     bidder_consumers.on_organisation_registered, "procurement"),
        Subscription(CreditProfileOpened.subject_name, CreditProfileOpened,
                     bidder_consumers.on_credit_profile_opened, "procurement"),
    ]
