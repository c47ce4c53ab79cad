"""Registry's event subscriptions: credit lists and zombie confirmations, Party-building coverage, purchase
contracts (DISC-2: they oblige a financial disclosure)."""

from yishe_contracts.events.credit import ListingChanged, ZombieConfirmed
from yishe_contracts.events.party import CoverageChanged
from yishe_contracts.events.procurement import ContractAwarded
from yishe_kit.context import On

from .disclosure import consumers as disclosure_consumers
from .signal import consumers

CONSUMERS = [
    On(ZombieConfirmed, consumers.on_zombie_confirmed),
    On(ListingChanged, consumers.on_listing_changed),
    On(CoverageChanged, consumers.on_coverage_changed),
    On(ContractAwarded, disclosure_consumers.on_contract_awarded),
]
