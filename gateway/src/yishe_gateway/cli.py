"""`yishe`: the operator's command line — long work through the gateway's API, with a real progress bar.

    yishe import FILE [--format csv|jsonl|xlsx] [--source S] [--dry-run] [--report report.csv]
    yishe job show SERVICE JOB_ID        yishe job cancel SERVICE JOB_ID        yishe job list SERVICE
    yishe job daily SERVICE [--as-of YYYY-MM-DD]

The gateway (`--url`, env `YISHE_URL`, default http://127.0.0.1:8000) is called with a bearer token
(`--token`, env `YISHE_TOKEN`, or `--token-file`, default `.data/dev-token` as `make run` writes it in development).
An import is streamed from the file (never read whole into memory) and followed to its end: rows done / total,
rows per second and the time left; the summary is printed in Chinese, and the row report saved if asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

console = Console()
FINISHED = {"succeeded", "failed", "cancelled", "interrupted"}
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
MEDIA = {"csv": "text/csv", "jsonl": "application/x-ndjson",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class CliError(Exception):
    pass


def _client(args: argparse.Namespace) -> httpx.Client:
    token = args.token or os.environ.get("YISHE_TOKEN")
    if not token and args.token_file and Path(args.token_file).exists():
        token = Path(args.token_file).read_text().strip()
    if not token:
        raise CliError("没有登录令牌：请用 --token、环境变量 YISHE_TOKEN 或 --token-file 提供")
    return httpx.Client(base_url=args.url.rstrip("/"), headers={"authorization": f"Bearer {token}"},
                        timeout=httpx.Timeout(30.0, read=600.0, write=600.0))


def _problem(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}: {resp.text[:300]}"
    errors = body.get("errors") or []
    parts = [e.get("message_zh") or e.get("message") for e in errors if isinstance(e, dict)]
    return f"HTTP {resp.status_code} {body.get('code', '')}：" + ("；".join(p for p in parts if p) or
                                                                   str(body.get("detail", "")))


def _chunks(path: Path, progress: Progress, task: TaskID, size: int = 1 << 20) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(size):
            progress.advance(task, len(chunk))
            yield chunk


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"找不到文件：{path}")
    fmt = args.format or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CliError("无法从文件名判断格式，请用 --format csv|jsonl|xlsx 指定")
    params = {"format": fmt, "source": args.source or path.name, "dry_run": str(args.dry_run).lower()}
    with _client(args) as client:
        with Progress(TextColumn("上传 {task.fields[name]}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                      TimeRemainingColumn(), console=console) as progress:
            task = progress.add_task("upload", total=path.stat().st_size, name=path.name)
            resp = client.post("/api/registry/v1/exchange/import-jobs", params=params,
                               content=_chunks(path, progress, task), headers={"content-type": MEDIA[fmt]})
        if resp.status_code != 202:
            raise CliError(_problem(resp))
        job = _follow(client, "registry", resp.json(), unit="行")
        result = job.get("result") or {}
        if job["state"] != "succeeded":
            error = job.get("error") or {}
            console.print(f"[red]导入未完成（{job['state_label']}）[/red]：{error.get('message_zh') or ''}")
            for p in error.get("problems", [])[:5]:
                console.print(f"  {p.get('field') or ''} {p.get('rule') or ''} {p.get('message_zh') or ''}")
            return 1
        summary = Table(title=f"导入结果（批次 {result.get('batch_id') or '试运行'}）")
        for label in ("共读取", "新建", "更新", "未变化", "失败"):
            summary.add_column(label, justify="right")
        summary.add_row(*(f"{result.get(k, 0):,}" for k in ("rows", "created", "updated", "unchanged", "failed")))
        console.print(summary)
        if result.get("failed"):
            console.print(f"有 {result['failed']:,} 行未导入，前几行原因：")
            for err in result.get("errors", [])[:5]:
                console.print(f"  第 {err['row']} 行 {err.get('field') or ''} [{err.get('rule') or ''}] "
                              f"{err['message_zh']}")
            if args.report:
                rep = client.get(f"/api/registry/v1/exchange/import-jobs/{job['job_id']}/report.csv")
                Path(args.report).write_bytes(rep.content)
                console.print(f"逐行报告已保存：{args.report}")
        return 0


def _follow(client: httpx.Client, service: str, job: dict, *, unit: str) -> dict:
    """Poll the job until it finishes, with a progress bar of done / total, rate and time left; Ctrl-C cancels."""
    url = f"/api/{service}/v1/jobs/{job['job_id']}"
    with Progress(TextColumn("{task.fields[state]}"), BarColumn(),
                  TextColumn("{task.completed:,.0f}/{task.fields[total_text]} " + unit),
                  TextColumn("{task.fields[rate]}"), TextColumn("剩余 {task.fields[eta]}"), console=console) as bar:
        task = bar.add_task("job", total=job.get("total"), state=job["state_label"], rate="", eta="—",
                            total_text=f"{job['total']:,}" if job.get("total") else "?")
        try:
            misses = 0
            while job["state"] not in FINISHED:
                time.sleep(0.5)
                try:
                    resp = client.get(url)
                except httpx.TransportError:
                    resp = None
                if resp is None or resp.status_code in (502, 503, 504):  # a busy service: ask again, for a while
                    misses += 1
                    if misses > 120:
                        raise CliError(_problem(resp) if resp is not None else "网关长时间无法访问")
                    continue
                if resp.status_code != 200:
                    raise CliError(_problem(resp))
                misses = 0
                job = resp.json()
                rate = job.get("rate_per_s")
                eta = job.get("eta_seconds")
                bar.update(task, completed=job.get("done", 0), total=job.get("total"), state=job["state_label"],
                           rate=f"{rate:,.0f} {unit}/秒" if rate else "",
                           eta=f"{eta:,.0f} 秒" if eta is not None else "—",
                           total_text=f"{job['total']:,}" if job.get("total") else "?")
        except KeyboardInterrupt:
            console.print("正在取消任务……")
            client.post(f"{url}/cancel")
            raise
    return job


def cmd_job(args: argparse.Namespace) -> int:
    with _client(args) as client:
        base = f"/api/{args.service}/v1"
        if args.action == "daily":
            params = {"as_of": args.as_of} if args.as_of else {}
            resp = client.post(f"{base}/jobs/daily", params=params)
            if resp.status_code == 202:  # a service whose daily job runs as a job
                job = _follow(client, args.service, resp.json(), unit="项")
                body = job.get("result") or {}
            elif resp.status_code == 200:
                body = resp.json()
            else:
                raise CliError(_problem(resp))
            changes = body.get("changes", [])
            day = body.get("as_of", args.as_of or "今天")
            console.print(f"{args.service} 日常任务（{day}）完成：变更 {len(changes)} 项")
            for c in changes[:10]:
                console.print(f"  {c.get('rule', '')} {c.get('uscc', '')} {c.get('action') or c.get('change') or ''}")
            return 0
        if args.action == "list":
            resp = client.get(f"{base}/jobs")
            if resp.status_code != 200:
                raise CliError(_problem(resp))
            table = Table("任务", "类型", "状态", "完成", "开始")
            for j in resp.json():
                table.add_row(j["job_id"], j["kind"], j["state_label"], f"{j['done']:,}", j["created_at"][:19])
            console.print(table)
            return 0
        if not args.job_id:
            raise CliError("请给出任务编号")
        resp = client.post(f"{base}/jobs/{args.job_id}/cancel") if args.action == "cancel" else client.get(
            f"{base}/jobs/{args.job_id}")
        if resp.status_code != 200:
            raise CliError(_problem(resp))
        j = resp.json()
        console.print(f"{j['job_id']} {j['kind']} {j['state_label']} 完成 {j['done']:,}"
                      + (f"/{j['total']:,}" if j.get("total") else "") + f" 失败 {j['failed']:,}")
        return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yishe", description="一社一码平台运维命令行")
    p.add_argument("--url", default=os.environ.get("YISHE_URL", "http://127.0.0.1:8000"), help="网关地址")
    p.add_argument("--token", default=None, help="登录令牌（或环境变量 YISHE_TOKEN）")
    p.add_argument("--token-file", default=".data/dev-token", help="存放登录令牌的文件")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="导入历史数据文件（作为任务运行，显示进度）")
    imp.add_argument("file")
    imp.add_argument("--format", choices=["csv", "jsonl", "xlsx"])
    imp.add_argument("--source", help="数据来源（默认文件名）")
    imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    imp.add_argument("--report", help="把逐行报告保存为 CSV 文件")
    imp.set_defaults(func=cmd_import)
    job = sub.add_parser("job", help="查看、取消任务，或运行日常任务")
    job.add_argument("action", choices=["show", "cancel", "list", "daily"])
    job.add_argument("service", choices=["registry", "credit", "procurement", "party", "cultivation"])
    job.add_argument("job_id", nargs="?")
    job.add_argument("--as-of", help="日常任务的业务日期 YYYY-MM-DD")
    job.set_defaults(func=cmd_job)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as exc:
        console.print(f"[red]错误[/red]：{exc}")
        return 2
    except httpx.HTTPError as exc:
        console.print(f"[red]无法连接网关[/red] {args.url}：{exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
