"""The anonymous complaint form a phone reaches from the public page (issue 15): a Chinese HTML form, no scripts.

`GET /v1/complaint?uscc=&name=` shows the form (the organisation filled in from the page's link);
`POST /v1/complaint` (an ordinary form post) hands it to the credit service's public intake `POST /v1/complaints`
as the anonymous caller, audited like every write, and shows the tracking code. The form carries a random
`request_key`, sent on as the `Idempotency-Key` (yishe_kit.idempotency): a form sent twice (a double tap, a reload
after a lost answer) files one complaint and shows its code both times; `GET /v1/complaint/track?code=`
shows a complaint's progress. The rules (what a complaint must say, a registered code for a complaint, none for a
report of an illegal organisation) stay in the credit service: its refusals are shown in its own Chinese words.
"""

from __future__ import annotations

import re
import uuid
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote

import aiohttp
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..identity.dependencies import IdentityDep
from ..upstream import trusted_headers
from .page import CSS

router = APIRouter(tags=["profile"])
SERVICE = "credit"
KINDS = {"complaint": "投诉（对该组织的服务、收费、活动等不满）", "report": "举报（该组织涉嫌违法违规）"}
STATUS = {"received": "已收到，待受理", "accepted": "已受理", "rejected": "不予受理", "assigned": "正在核查",
          "closed": "已办结"}
TOO_BIG = 20_000
_REQUEST_KEY = re.compile(r"[0-9a-f]{32}")


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<meta name="robots" content="noindex">
<title>{_e(title)} · 一社一码</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>一社一码 · 投诉举报</h1><p>社会组织投诉举报（可匿名）</p></header>
<main>
{body}
</main>
</body>
</html>
"""
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def _form(values: dict[str, str], errors: list[str]) -> str:
    uscc, name = values.get("target_uscc", ""), values.get("target_name", "")
    kind = values.get("kind") or "complaint"
    shown_errors = ('<div class="error" role="alert">' + "<br>".join(_e(e) for e in errors) + "</div>"
                    if errors else "")
    choices = "".join(
        f'<label><input type="radio" name="kind" value="{k}"{" checked" if k == kind else ""}> {label}</label>'
        for k, label in KINDS.items())
    about = (f'<p class="muted">被投诉组织：{_e(name)}<br><span class="code">{_e(uscc)}</span></p>' if uscc else "")
    return f"""{shown_errors}
<section class="card" aria-label="投诉举报">
<h2>投诉举报</h2>
{about}
<form method="post" action="/v1/complaint" accept-charset="utf-8">
<input type="hidden" name="request_key" value="{_e(_request_key(values))}">
<input type="hidden" name="target_uscc" value="{_e(uscc)}">
<fieldset class="choices" style="border:0;padding:0;margin:0"><legend>类型</legend>{choices}</fieldset>
<label for="target_name">组织名称</label>
<input type="text" id="target_name" name="target_name" value="{_e(name)}" required maxlength="200">
<label for="content">投诉举报内容</label>
<textarea id="content" name="content" required minlength="5" maxlength="8000"
 placeholder="请写明时间、地点、经过等事实（至少5个字）">{_e(values.get("content", ""))}</textarea>
<label for="complainant_name">您的姓名（选填）</label>
<input type="text" id="complainant_name" name="complainant_name" value="{_e(values.get("complainant_name", ""))}"
 maxlength="100" autocomplete="name">
<label for="complainant_phone">联系电话（选填）</label>
<input type="tel" id="complainant_phone" name="complainant_phone" value="{_e(values.get("complainant_phone", ""))}"
 pattern="1[0-9]{{10}}" maxlength="11" inputmode="numeric" autocomplete="tel">
<p class="hint">姓名和电话都不填即为匿名投诉举报；留下联系方式便于核查时与您联系，不会公开。</p>
<button type="submit">提交</button>
</form>
</section>
"""


def _request_key(values: dict[str, str]) -> str:
    """The form's own key (kept when the form is shown again after a refusal: a refusal keeps nothing)."""
    key = values.get("request_key", "")
    return key if _REQUEST_KEY.fullmatch(key) else uuid.uuid4().hex


@router.get("/v1/complaint", response_class=HTMLResponse, include_in_schema=False)
async def complaint_form(uscc: str = "", name: str = "") -> HTMLResponse:
    """The form, the organisation filled in when the public page links here."""
    return _page("投诉举报", _form({"target_uscc": uscc[:18], "target_name": name[:200]}, []))


def _request_body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": values.get("kind") or "complaint", "target_name": values.get("target_name", ""),
                            "content": values.get("content", ""), "channel": "web"}
    if values.get("target_uscc"):
        body["target_uscc"] = values["target_uscc"]
    if values.get("complainant_name") or values.get("complainant_phone"):
        body["complainant"] = {"name": values.get("complainant_name", ""),
                               "phone": values.get("complainant_phone", "")}
    return body


def _refusal(status: int | None, answer: Any) -> list[str]:
    if status is None:
        return ["投诉举报服务暂时无法访问，请稍后再试，或拨打 12345 热线。"]
    problems = answer.get("errors") if isinstance(answer, dict) else None
    said = [str(p["message_zh"]) for p in problems or [] if isinstance(p, dict) and p.get("message_zh")]
    return said or ["提交未成功，请检查填写的内容后重试。"]


@router.post("/v1/complaint", response_class=HTMLResponse, include_in_schema=False)
async def submit_complaint(request: Request, identity: IdentityDep) -> HTMLResponse:
    """A form post: forwarded to credit `POST /v1/complaints` as the caller (anonymous from a phone), audited."""
    raw = await request.body()
    if len(raw) > TOO_BIG:
        return _page("提交未成功", _form({}, ["内容过长，请精简后再提交。"]), 413)
    values = {k: v[0].strip() for k, v in parse_qs(raw.decode("utf-8", errors="replace"),
                                                  keep_blank_values=True).items()}
    if values.get("kind") not in KINDS:
        values["kind"] = "complaint"
    body = _request_body(values)
    audit = request.app.state.audit
    uscc = body.get("target_uscc")
    detail = {"service": SERVICE, "what": "complaint_form"}
    await audit.record(identity, request, action="write", uscc=uscc, detail={**detail, "phase": "attempt"})
    settings = request.app.state.settings
    url = settings.upstreams.get(SERVICE).rstrip("/") + "/v1/complaints"
    status, answer = None, None
    headers = {**trusted_headers(request, identity, SERVICE), "Content-Type": "application/json"}
    if _REQUEST_KEY.fullmatch(values.get("request_key", "")):
        headers["Idempotency-Key"] = f"complaint-form-{values['request_key']}"
    try:
        async with request.app.state.http.post(
                url, data=orjson.dumps(body), headers=headers,
                timeout=aiohttp.ClientTimeout(total=settings.proxy_timeout_for(SERVICE))) as resp:
            status, raw_answer = resp.status, await resp.read()
        answer = orjson.loads(raw_answer) if raw_answer else None
    except (TimeoutError, aiohttp.ClientError, orjson.JSONDecodeError):
        pass
    await audit.record(identity, request, action="write", uscc=uscc, status=status,
                       detail={**detail, "phase": "outcome"})
    if status != 201 or not isinstance(answer, dict):
        return _page("提交未成功", _form(values, _refusal(status, answer)), 400 if status and status < 500 else 503)
    code = answer.get("tracking_code", "")
    return _page("已收到", f"""<section class="card" aria-label="已收到">
<h2>已收到您的投诉举报</h2>
<p>查询码：<strong class="code" style="font-size:20px">{_e(code)}</strong></p>
<p class="muted">请记下查询码，凭它查询办理进度（不需要留姓名电话）。受理日期：{_e(answer.get("received_on"))}</p>
<a class="action" href="/v1/complaint/track?code={quote(str(code))}">查询办理进度</a>
</section>""", 201)


@router.get("/v1/complaint/track", response_class=HTMLResponse, include_in_schema=False)
async def track_complaint(request: Request, identity: IdentityDep, code: str = "") -> HTMLResponse:
    """A complaint's progress by its tracking code (credit `GET /v1/complaints/track/{code}`; no personal data)."""
    ask = ('<section class="card"><h2>查询办理进度</h2><form method="get" action="/v1/complaint/track">'
           f'<label for="code">查询码</label><input type="text" id="code" name="code" value="{_e(code)}" '
           'required maxlength="32"><button type="submit">查询</button></form></section>')
    if not code:
        return _page("查询办理进度", ask)
    settings = request.app.state.settings
    url = settings.upstreams.get(SERVICE).rstrip("/") + "/v1/complaints/track/" + quote(code[:32], safe="")
    status, answer = None, None
    try:
        limit = aiohttp.ClientTimeout(total=settings.proxy_timeout_for(SERVICE))
        async with request.app.state.http.get(url, headers=trusted_headers(request, identity, SERVICE),
                                              timeout=limit) as r:
            status, answer = r.status, orjson.loads(await r.read())
    except (TimeoutError, aiohttp.ClientError, orjson.JSONDecodeError):
        pass
    if status == 404:
        return _page("未找到", '<div class="error" role="alert">没有这个查询码，请核对后重试。</div>' + ask, 404)
    if status != 200 or not isinstance(answer, dict):
        return _page("暂时无法查询", '<div class="error" role="alert">暂时无法查询，请稍后再试。</div>' + ask, 503)
    rows = [("查询码", answer.get("tracking_code")), ("类型", KINDS.get(str(answer.get("kind")), answer.get("kind"))),
            ("被投诉组织", answer.get("target_name")), ("受理日期", answer.get("received_on")),
            ("办理状态", STATUS.get(str(answer.get("status")), answer.get("status"))),
            ("办理期限", answer.get("handling_due")), ("办理结果", answer.get("outcome")),
            ("办结日期", answer.get("closed_on"))]
    shown = "".join(f"<dt>{k}</dt><dd>{_e(v)}</dd>" for k, v in rows if v)
    return _page("办理进度", f'<section class="card"><h2>办理进度</h2><dl>{shown}</dl></section>')
