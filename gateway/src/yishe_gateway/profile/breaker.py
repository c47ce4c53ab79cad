"""A circuit breaker per upstream: after `failures` consecutive failures calls are skipped for `cooldown` seconds,
then one trial call decides (half-open). A skipped source is reported missing at once instead of timing out."""

from __future__ import annotations

import time

from ..config import BreakerSettings


class Breaker:
    def __init__(self, name: str, settings: BreakerSettings):
        self.name = name
        self.settings = settings
        self.failures = 0
        self.opened_at: float | None = None
        self._trial = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if time.monotonic() - self.opened_at >= self.settings.cooldown_seconds else "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._trial:
            self._trial = True  # exactly one caller tries; the others keep skipping until it reports
            return True
        return False

    def success(self) -> None:
        self.failures, self.opened_at, self._trial = 0, None, False

    def failure(self) -> None:
        self.failures += 1
        if self._trial or self.failures >= self.settings.failures:
            self.opened_at, self._trial = time.monotonic(), False


class Breakers:
    def __init__(self, names: tuple[str, ...], settings: BreakerSettings):
        self.by_name = {n: Breaker(n, settings) for n in names}

    def __getitem__(self, name: str) -> Breaker:
        return self.by_name[name]

    def states(self) -> dict[str, str]:
        return {n: b.state for n, b in self.by_name.items()}
