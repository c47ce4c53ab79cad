"""Operator command for the restore drill (deploy/README): make a service replay every stream it consumes.

    python -m yishe_kit.replay --service credit [--nats-url nats://127.0.0.1:4222] [--dry-run]

Run it with every replica of the service stopped, after its database was restored from a backup. It deletes the
service's durable consumers (`<service>-<subject>`, `Subscription.durable`) on every stream; the service, started
again, re-creates each with `DeliverPolicy.ALL` and takes the streams from their first message (streams keep a year,
`bus.stream_configs`). Its inbox, restored with its database, drops every event the backup already held; what it
handles again emits events whose ids derive from their cause (`caused_event_id`), so every downstream inbox drops
those it already has. Nothing else is touched: other services' durables keep their positions.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import nats

from .bus import DLQ_STREAM


async def reset_durables(nats_url: str, service: str, *, dry_run: bool = False) -> list[tuple[str, str]]:
    """Delete (or with `dry_run` only list) `service`'s durable consumers on every stream: (stream, durable)."""
    if not service or "-" in service or "." in service:
        raise ValueError(f"service {service!r}: a service's name (registry, credit, …, gateway)")
    nc = await nats.connect(nats_url, connect_timeout=5, max_reconnect_attempts=1)
    found: list[tuple[str, str]] = []
    try:
        js = nc.jetstream()
        for stream in await js.streams_info():
            name = stream.config.name
            if name is None or name == DLQ_STREAM:
                continue
            for consumer in await js.consumers_info(name):
                if consumer.name.startswith(f"{service}-"):
                    found.append((name, consumer.name))
        if not dry_run:
            for stream_name, durable in found:
                await js.delete_consumer(stream_name, durable)
    finally:
        await nc.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yishe_kit.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", required=True, help="the restored service (its replicas stopped)")
    parser.add_argument("--nats-url", default="nats://127.0.0.1:4222")
    parser.add_argument("--dry-run", action="store_true", help="list the durables, delete nothing")
    args = parser.parse_args(argv)
    try:
        found = asyncio.run(reset_durables(args.nats_url, args.service, dry_run=args.dry_run))
    except ValueError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    verb = "would replay" if args.dry_run else "replays"
    for stream_name, durable in found:
        print(f"{stream_name}\t{durable}\t{verb} from the stream's start when {args.service} starts")
    if not found:
        print(f"no durable of {args.service} on {args.nats_url}: nothing to reset", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
