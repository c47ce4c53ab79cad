"""Registry's event subscriptions: credit lists and zombie confirmations, Party-building coverage."""

from yishe_contracts.events.credit import ListingChanged, ZombieConfirmed
from yishe_contracts.events.party import CoverageChanged
from yishe_kit.bus import Subscription
from yishe_kit.outbox import Outbox

from .signal import consumers


def subscriptions(settings, outbox: Outbox) -> list[Subscription]:
    return [
        Subscription(ZombieConfirmed.subject_name, ZombieConfirmed, consumers.on_zombie_confirmed, "registry"),
        Subscription(ListingChanged.subject_name, ListingChanged, consumers.on_listing_changed, "registry"),
        Subscription(CoverageChanged.subject_name, CoverageChanged, consumers.on_coverage_changed, "registry"),
    ]
