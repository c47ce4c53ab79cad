"""structlog JSON logging with request/correlation/event ids bound through contextvars."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar

import orjson
import structlog

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("causation_id", default=None)


def _dumps(obj: object, default: Callable[[object], object] | None = None) -> str:
    return orjson.dumps(obj, default=default).decode("utf-8")


_configured_level: str | None = None


def configure(service: str, level: str = "INFO") -> None:
    """Once per process and level (several apps share a test process): configuring again would replace the
    processor list that loggers already bound hold on to."""
    global _configured_level
    structlog.contextvars.bind_contextvars(service=service)
    if _configured_level == level:
        return
    _configured_level = level
    logging.basicConfig(stream=sys.stdout, level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )


def info_enabled() -> bool:
    """Whether the configured level lets info lines through (as structlog's filtering logger decides)."""
    level = _configured_level or "INFO"
    return bool(logging.getLevelName(level.upper()) <= logging.INFO)


def get_logger(name: str | None = None) -> structlog.typing.FilteringBoundLogger:
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(name)
    return logger
