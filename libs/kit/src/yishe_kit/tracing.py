"""OpenTelemetry traces across HTTP and NATS: one tracer provider per service, W3C `traceparent` read from HTTP
requests, written into each event envelope by the outbox (the CloudEvents distributed-tracing extension) and
restored by the bus consumer, so one registration's trace runs from the registry's request to party's handler.

Spans are recorded only where they can go somewhere: when `TelemetrySettings.otlp_endpoint` is set (OTLP over HTTP,
a batch processor off the request path) or a processor was added (`add_span_processor`: tests add the SDK's
in-memory exporter). Otherwise the tracer is the API's no-op one, which still carries a caller's `traceparent`
through the request into the events it causes, at a fraction of the cost (measured: bench/observe_overhead.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.trace import NoOpTracer, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from .settings import TelemetrySettings

_PROPAGATOR = TraceContextTextMapPropagator()
_providers: dict[str, TracerProvider] = {}
_extra_processors: list[SpanProcessor] = []
_exporting: set[tuple[str, str]] = set()
_NOOP = NoOpTracer()


def configure(service: str, settings: TelemetrySettings) -> Tracer:
    """This service's tracer: a recording one when spans have somewhere to go (an OTLP endpoint, an added processor),
    else the no-op one (propagation only); the OTLP exporter is added once per endpoint."""
    if not settings.tracing_enabled or not (settings.otlp_endpoint or _extra_processors):
        return _NOOP
    provider = _providers.get(service)
    if provider is None:
        provider = _providers[service] = TracerProvider(resource=Resource.create({"service.name": f"yishe-{service}"}))
        for processor in _extra_processors:
            provider.add_span_processor(processor)
    if settings.otlp_endpoint and (service, settings.otlp_endpoint) not in _exporting:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint)))
        _exporting.add((service, settings.otlp_endpoint))
    return provider.get_tracer(f"yishe.{service}")


def tracer(service: str) -> Tracer:
    """The tracer `configure` made for `service`, or a no-op one."""
    provider = _providers.get(service)
    return provider.get_tracer(f"yishe.{service}") if provider is not None else _NOOP


def recording(service: str) -> bool:
    """Whether `service`'s spans go anywhere (its tracer is not the no-op one)."""
    return service in _providers


def add_span_processor(processor: SpanProcessor) -> None:
    """Send every service's spans (those configured now and later) to `processor` as well (tests, debugging)."""
    _extra_processors.append(processor)
    for provider in _providers.values():
        provider.add_span_processor(processor)


def current_carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`); empty outside any span."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier


def context_from_headers(headers: Iterable[tuple[bytes, bytes]]) -> otel_context.Context | None:
    """The caller's trace context from raw ASGI headers, or None when it sent no `traceparent`."""
    carrier: dict[str, str] = {}
    for name, value in headers:
        if name == b"traceparent" or name == b"tracestate":
            carrier[name.decode("latin-1")] = value.decode("latin-1")
    return _PROPAGATOR.extract(carrier) if "traceparent" in carrier else None


@contextlib.contextmanager
def consumer_span(tracer_: Tracer, subject: str, durable: str, event_id: str, traceparent: str | None,
                  tracestate: str | None) -> Iterator[trace.Span]:
    """A CONSUMER span for one delivered event, child of the span that emitted it (from the envelope's extension);
    current while the handler runs, so what the handler emits carries this trace on."""
    carrier = {"traceparent": traceparent} if traceparent else {}
    if traceparent and tracestate:
        carrier["tracestate"] = tracestate
    parent = _PROPAGATOR.extract(carrier) if carrier else None
    attributes = {"messaging.system": "nats", "messaging.destination.name": subject,
                  "messaging.consumer.group.name": durable, "messaging.message.id": event_id}
    with tracer_.start_as_current_span(f"{subject} process", context=parent, kind=SpanKind.CONSUMER,
                                       attributes=attributes) as span:
        yield span


def end_server_span(span: trace.Span, method: str, route: str, status: int) -> None:
    span.update_name(f"{method} {route}")
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
    span.end()
