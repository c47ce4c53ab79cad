"""Operator commands on the gateway's store (run where GATEWAY_* points at it):

    python -m yishe_gateway.admin dev-credentials [--write-dir DIR]   # make run: dev staff account + client
    python -m yishe_gateway.admin create-user USERNAME ROLE [--division 3303] [--org-uscc …]  (password: stdin)
    python -m yishe_gateway.admin create-client NAME ROLE [--division 3303] [--rate-limit 200/second]
    python -m yishe_gateway.admin rotate-key CLIENT_ID [--retire-after SECONDS]
    python -m yishe_gateway.admin revoke-key CLIENT_ID APP_KEY
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from yishe_kit.db import make_engine, make_sessionmaker
from yishe_kit.errors import ServiceError

from .config import Settings, get_settings
from .identity import admin


async def _run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(settings.db.url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            return await _command(session, settings, args)
    finally:
        await engine.dispose()


async def _command(session, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    if args.command == "dev-credentials":
        return await admin.dev_credentials(session, settings)
    if args.command == "create-user":
        password = os.environ.get("GATEWAY_ADMIN_PASSWORD") or (
            getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n"))
        user = await admin.create_user(session, username=args.username, password=password, role=args.role,
                                       division=args.division, org_uscc=args.org_uscc)
        return {"username": user.username, "role": user.role, "division": user.division_prefix}
    if args.command == "create-client":
        issued = await admin.create_client(session, settings, name=args.name, role=args.role,
                                           division=args.division, rate_limit=args.rate_limit)
    elif args.command == "rotate-key":
        issued = await admin.rotate_key(session, settings, args.client_id,
                                        retire_previous_after_seconds=args.retire_after)
    else:
        key = await admin.revoke_key(session, args.client_id, args.app_key)
        return {"app_key": key.app_key, "revoked_at": key.revoked_at.isoformat()}
    return {"client_id": issued.client.client_id, "name": issued.client.name, "role": issued.client.role,
            "app_key": issued.app_key, "secret": issued.secret}


def write_dev_files(directory: Path, credentials: dict[str, Any]) -> None:
    """`dev-token` (the bearer token alone, for `$(cat .data/dev-token)`) and `dev-credentials.json`, owner-only."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("dev-token", credentials["staff"]["token"]),
                       ("dev-credentials.json", json.dumps(credentials, ensure_ascii=False, indent=2))):
        path = directory / name
        path.write_text(text + "\n", encoding="utf-8")
        path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yishe_gateway.admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev-credentials")
    dev.add_argument("--write-dir", type=Path)
    user = sub.add_parser("create-user")
    user.add_argument("username")
    user.add_argument("role")
    user.add_argument("--division", default="")
    user.add_argument("--org-uscc")
    client = sub.add_parser("create-client")
    client.add_argument("name")
    client.add_argument("role")
    client.add_argument("--division", default="")
    client.add_argument("--rate-limit")
    rotate = sub.add_parser("rotate-key")
    rotate.add_argument("client_id")
    rotate.add_argument("--retire-after", type=int)
    revoke = sub.add_parser("revoke-key")
    revoke.add_argument("client_id")
    revoke.add_argument("app_key")
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(_run(get_settings(), args))
    except ServiceError as exc:
        print(f"refused: {exc.code}: {exc.detail} {[p.as_dict() for p in exc.problems] or ''}", file=sys.stderr)
        return 2
    if args.command == "dev-credentials" and args.write_dir:
        write_dev_files(args.write_dir, result)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
