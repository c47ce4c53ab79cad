"""Registry's event subscriptions (none yet: it is the first producer)."""

from yishe_kit.bus import Subscription


def subscriptions(settings, outbox) -> list[Subscription]:
    return []
