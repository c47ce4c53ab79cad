"""Make a signed call as a system client (AppKey + HMAC-SHA256, see identity/signing.py for the string to sign):

    python -m yishe_gateway.sign --key-file .data/dev-credentials.json GET http://127.0.0.1:8000/v1/feed
    python -m yishe_gateway.sign --app-key ak_… --secret … POST http://…/api/registry/v1/organisations -d @org.json
    add --curl to print a ready-to-run curl command instead (valid once, within the replay window)
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .identity.signing import signed_headers


def _key(args: argparse.Namespace) -> tuple[str, str]:
    if args.key_file:
        data = json.loads(Path(args.key_file).read_text(encoding="utf-8"))
        data = data.get("client", data)
        return data["app_key"], data["secret"]
    if not (args.app_key and args.secret):
        raise SystemExit("give --key-file, or --app-key and --secret")
    return args.app_key, args.secret


def build(method: str, url: str, body: bytes, app_key: str, secret: str,
          extra: dict[str, str] | None = None) -> dict[str, str]:
    parts = urlsplit(url)
    headers = signed_headers(app_key, secret, method, parts.path or "/", parts.query, body)
    if body:
        headers["Content-Type"] = "application/json"
    return headers | (extra or {})


def curl(method: str, url: str, body: bytes, headers: dict[str, str]) -> str:
    words = ["curl", "-s", "-X", method, shlex.quote(url)]
    for name, value in headers.items():
        words += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        words += ["--data-binary", shlex.quote(body.decode("utf-8"))]
    return " ".join(words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m yishe_gateway.sign", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("method")
    parser.add_argument("url")
    parser.add_argument("-d", "--data", help="JSON body, or @file")
    parser.add_argument("-H", "--header", action="append", default=[], help="extra header 'Name: value'")
    parser.add_argument("--key-file")
    parser.add_argument("--app-key")
    parser.add_argument("--secret")
    parser.add_argument("--curl", action="store_true", help="print a curl command instead of calling")
    args = parser.parse_args(argv)
    method = args.method.upper()
    body = b""
    if args.data:
        body = Path(args.data[1:]).read_bytes() if args.data.startswith("@") else args.data.encode("utf-8")
    extra = dict(h.split(":", 1) for h in args.header)
    headers = build(method, args.url, body, *_key(args), {k.strip(): v.strip() for k, v in extra.items()})
    if args.curl:
        print(curl(method, args.url, body, headers))
        return 0
    resp = httpx.request(method, args.url, headers=headers, content=body or None, timeout=30)
    print(resp.text)
    return 0 if resp.status_code < 400 else 1


if __name__ == "__main__":
    sys.exit(main())
