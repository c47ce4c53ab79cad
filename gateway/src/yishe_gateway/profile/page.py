"""The public page a phone opens when it scans an organisation's 一社一码 (CODE-4 public view), in Chinese.

Mobile first: one column, system fonts, no scripts, no external resources (the page works on a weak network and
under a strict CSP); the colour is looked up live on every scan and shown with its reason category.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import urlencode

from .divisions import full_name

CHINA = timezone(timedelta(hours=8))
COLOURS = {  # CODE-3: label, what it means, background, text
    "red": ("红码", "严重失信或停止活动", "#c62828", "#ffffff"),
    "orange": ("橙码", "列入活动异常名录", "#ef6c00", "#ffffff"),
    "yellow": ("黄码", "存在预警事项", "#f9a825", "#1a1a1a"),
    "green": ("绿码", "未发现异常", "#2e7d32", "#ffffff"),
    "blue": ("蓝码", "信用优良", "#1565c0", "#ffffff"),
}
STATUS = {
    "active": "正常", "deregistered": "已注销", "simple_deregistered": "已简易注销",
    "registration_cancelled": "已撤销登记", "certificate_revoked": "已吊销登记证书", "suspended": "限期停止活动",
}
# CODE-3, in the order the rules are evaluated (the first that applies gives the colour): what each colour means.
COLOUR_RULES = {
    "red": "列入严重违法失信名单，或被撤销登记、吊销登记证书、取缔，或正处于限期停止活动期间，或被列为失信被执行人",
    "orange": "列入活动异常名录（如未按时报送年度工作报告、通过登记的住所无法联系等）",
    "yellow": "尚未列入名录，但存在需要关注的预警事项：年度工作报告逾期未报、年检基本合格或不合格、登记住所函件未签收、"
              "换届逾期、负责人超龄未经批准、评估等级近12个月下调、无党组织且无党建工作指导员、投诉举报正在核查等",
    "green": "未发现以上任何情形",
    "blue": "绿码基础上，持有有效的3A及以上评估等级，且近3年未受行政处罚（信用优良）",
}
# Three-colour mode (红/黄/绿): orange folds into yellow, blue into green.
COLOUR_RULES_THREE = {
    "red": COLOUR_RULES["red"],
    "yellow": "列入活动异常名录，或存在需要关注的预警事项：年度工作报告逾期未报、年检基本合格或不合格、"
              "登记住所函件未签收、换届逾期、负责人超龄未经批准、评估等级近12个月下调、无党组织且无党建工作指导员、投诉举报正在核查等",
    "green": "未发现以上任何情形",
}
LISTS = {"abnormal": "活动异常名录", "serious": "严重违法失信名单"}
SOURCES = {"registry": "登记信息", "credit": "信用信息", "party": "党建信息", "procurement": "政府购买服务信息",
           "cultivation": "培育发展信息"}
REPORT_EVENTS = {"submitted": "已报送", "reviewed": "已审核", "overdue": "逾期未报送"}
QUALIFICATIONS = {"charity": "慈善组织认定", "public_fundraising": "公开募捐资格"}

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f2f4f7;color:#1a1a1a;font:16px/1.6 -apple-system,"PingFang SC","Hiragino Sans GB",
"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;-webkit-text-size-adjust:100%}
header{background:#b71c1c;color:#fff;padding:14px 16px}
header h1{margin:0;font-size:18px;font-weight:600}
header p{margin:2px 0 0;font-size:13px;opacity:.85}
main{max-width:560px;margin:0 auto;padding:12px}
.card{background:#fff;border-radius:12px;padding:16px;margin-bottom:12px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.verify{font-size:14px;padding:10px 14px;border-radius:10px;margin-bottom:12px}
.verify.ok{background:#e8f5e9;color:#1b5e20}.verify.bad{background:#ffebee;color:#b71c1c;font-weight:600}
.verify.none{background:#eceff1;color:#37474f}
h2{margin:0 0 4px;font-size:21px;line-height:1.35;word-break:break-all}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:14px;color:#555;letter-spacing:.5px}
.status{display:inline-block;margin-top:6px;padding:1px 10px;border-radius:99px;font-size:13px;background:#e3f2fd;
color:#0d47a1}.status.off{background:#fbe9e7;color:#bf360c}
.colour{border-radius:12px;padding:18px 16px;margin-bottom:12px}
.colour .label{font-size:28px;font-weight:700;letter-spacing:2px}
.colour .meaning{font-size:15px;margin-top:2px}
.colour .reason{font-size:14px;margin-top:8px;opacity:.95}
h3{margin:0 0 8px;font-size:16px;color:#333}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:6px 12px;font-size:15px}
dt{color:#666}dd{margin:0;word-break:break-all}
ul.entries{list-style:none;margin:0;padding:0}
ul.entries li{border-left:3px solid #ef6c00;padding:6px 10px;margin-bottom:8px;background:#fff8f0;font-size:14px}
.muted{color:#777;font-size:14px}
.note{background:#fff8e1;color:#6d4c00;font-size:14px;padding:10px 14px;border-radius:10px;margin-bottom:12px}
footer{color:#888;font-size:12px;text-align:center;padding:8px 16px 24px}
ul.legend{list-style:none;margin:0;padding:0}
ul.legend li{display:grid;grid-template-columns:56px 1fr;gap:10px;align-items:start;padding:8px 0;font-size:14px;
border-top:1px solid #eee}ul.legend li:first-child{border-top:0}
ul.legend .chip{display:inline-block;border-radius:6px;padding:2px 0;text-align:center;font-weight:600;font-size:13px}
ul.legend li.current{background:#fffde7;margin:0 -8px;padding:8px;border-radius:8px}
ul.legend .now{font-weight:600;color:#b71c1c}
a.action{display:block;text-align:center;background:#fff;color:#b71c1c;border:1px solid #b71c1c;border-radius:10px;
padding:12px;font-size:16px;text-decoration:none;margin-bottom:12px}
form label{display:block;margin:12px 0 4px;color:#333;font-size:15px}
form input[type=text],form input[type=tel],form textarea{width:100%;font:inherit;padding:10px;border:1px solid #ccc;
border-radius:8px;background:#fff}
form textarea{min-height:140px}
form .choices label{display:inline-block;margin:4px 16px 4px 0}
form button{margin-top:16px;width:100%;font:inherit;font-size:17px;padding:12px;border:0;border-radius:10px;
background:#b71c1c;color:#fff}
.error{background:#ffebee;color:#b71c1c;font-size:14px;padding:10px 14px;border-radius:10px;margin-bottom:12px}
.hint{color:#666;font-size:13px;margin:4px 0 0}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _china_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _verify_banner(signature_valid: bool | None, authority: str) -> str:
    if signature_valid is True:
        return f'<div class="verify ok" role="status">✔ 防伪校验通过：此二维码由{_e(authority)}签发</div>'
    if signature_valid is False:
        return ('<div class="verify bad" role="alert">✘ 防伪校验未通过：此二维码不是登记管理机关签发的，'
                '可能被伪造或篡改，请勿轻信，以登记管理机关公布的信息为准</div>')
    return '<div class="verify none" role="status">未携带防伪签名：请以登记管理机关签发的二维码为准</div>'


def _colour_block(credit: dict[str, Any] | None) -> str:
    if not credit or credit.get("colour") not in COLOURS:
        return ('<section class="card" aria-label="分色监管"><h3>分色监管</h3>'
                '<p class="muted">信用信息暂不可用，请稍后再试</p></section>')
    label, meaning, bg, fg = COLOURS[credit["colour"]]
    reason = credit.get("colour_reason")
    return (f'<section class="colour" style="background:{bg};color:{fg}" aria-label="分色监管">'
            f'<div class="label">{label}</div><div class="meaning">分色监管：{meaning}</div>'
            + (f'<div class="reason">原因类别：{_e(reason)}</div>' if reason else "") + "</section>")


def _entries(credit: dict[str, Any] | None) -> str:
    if not credit:
        return '<p class="muted">暂无信用名录信息</p>'
    entries = credit.get("list_entries") or []
    if not entries:
        return '<p class="muted">未列入活动异常名录，未列入严重违法失信名单</p>'
    items = []
    for entry in entries:
        name = LISTS.get(entry.get("list_type"), entry.get("list_type") or "信用名录")
        parts = [f"<strong>{_e(name)}</strong>"]
        if entry.get("reason"):
            parts.append(f"原因：{_e(entry['reason'])}")
        if entry.get("listed_on"):
            parts.append(f"列入日期：{_e(entry['listed_on'])}")
        if entry.get("decided_by"):
            parts.append(f"作出决定机关：{_e(entry['decided_by'])}")
        if entry.get("removed_on"):
            parts.append(f"移出日期：{_e(entry['removed_on'])}")
        items.append("<li>" + "<br>".join(parts) + "</li>")
    return '<ul class="entries">' + "".join(items) + "</ul>"


def _legend(credit: dict[str, Any] | None, mode: str = "five") -> str:
    """CODE-3: every colour with what it means, the organisation's own marked (a scan explains itself)."""
    current = (credit or {}).get("colour")
    items = []
    for colour, rule in (COLOUR_RULES_THREE if mode == "three" else COLOUR_RULES).items():
        label, _, bg, fg = COLOURS[colour]
        now = ' <span class="now">（当前）</span>' if colour == current else ""
        marked = ' class="current"' if colour == current else ""
        items.append(f"<li{marked}>"
                     f'<span class="chip" style="background:{bg};color:{fg}">{label}</span>'
                     f"<span>{rule}{now}</span></li>")
    return ('<section class="card" aria-label="颜色说明"><h3>颜色说明</h3><ul class="legend">' + "".join(items)
            + '</ul><p class="hint">依次判断，符合的第一种情形即为当前颜色；颜色随信用信息实时变化。</p></section>')


def _authority(org: dict[str, Any]) -> str:
    """CODE-4: the registering authority by name (GB/T 2260), the code beside it."""
    code = org.get("division_code")
    name = full_name(code)
    if name is None:
        return _e(code)
    return f'{_e(name)}<br><span class="muted">区划代码 {_e(code)}</span>'


def complaint_link(org: dict[str, Any]) -> str:
    query = urlencode({k: v for k, v in (("uscc", org.get("uscc")), ("name", org.get("name"))) if v})
    return f'<a class="action" href="/v1/complaint?{_e(query)}">投诉举报该组织（可匿名）</a>'


def _grade(org: dict[str, Any]) -> str:
    grade = org.get("grade")
    if not grade:
        return "暂无"
    until = org.get("grade_valid_until")
    return f"{_e(grade)}级" + (f"（有效期至 {_e(until)}）" if until else "")


def _annual_report(org: dict[str, Any]) -> str:
    report = org.get("annual_report") or org.get("annual_report_status")
    if isinstance(report, str):
        return _e(report)
    if isinstance(report, dict):
        year = report.get("year")
        text = report.get("result") or REPORT_EVENTS.get(report.get("event") or report.get("status"), "") \
            or report.get("status") or ""
        late = "（逾期报送）" if report.get("late") else ""
        return f"{_e(year)}年度：{_e(text)}{late}" if year else _e(text) or "暂无记录"
    return "暂无记录"


def _qualifications(org: dict[str, Any]) -> str:
    """Charity status and public-fundraising qualification, when the registry has granted them (CODE-4)."""
    held = org.get("qualifications") if isinstance(org.get("qualifications"), dict) else {}
    rows = []
    for kind, label in QUALIFICATIONS.items():
        q = held.get(kind)
        if isinstance(q, dict) and q.get("status") == "granted":
            until = q.get("valid_until")
            rows.append(f"<dt>{label}</dt><dd>已取得" + (f"（有效期至 {_e(until)}）" if until else "") + "</dd>")
    return "".join(rows)


def _disclosures(org: dict[str, Any]) -> str:
    """DISC-1: the yearly income and spending the organisation published, and its audit report reference."""
    rows = []
    for d in org.get("disclosures") or []:
        if isinstance(d, dict):
            audit = f"；审计报告：{_e(d.get('audit_report_ref'))}" if d.get("audit_report_ref") else ""
            rows.append(f"<dt>{_e(d.get('year'))}年度</dt><dd>收入 {_e(d.get('total_income'))} 元，"
                        f"支出 {_e(d.get('total_spending'))} 元{audit}</dd>")
    if not rows:
        return ""
    return f'<section class="card" aria-label="财务信息公开"><h3>财务信息公开</h3><dl>{"".join(rows)}</dl></section>'


def render(view: dict[str, Any], *, signature_valid: bool | None, authority: str, colour_mode: str = "five") -> str:
    """The public page for one organisation (the public view only, whoever asks)."""
    org: dict[str, Any] = view.get("organisation") or {}
    credit = view.get("credit")
    status = org.get("status") or ""
    status_class = "status" if status == "active" else "status off"
    rep = org.get("legal_representative") or {}
    unavailable = [SOURCES.get(s, s) for s in view.get("missing_sources") or [] if s != "party"]
    note = (f'<div class="note">以下信息暂时无法获取：{"、".join(unavailable)}。页面其余信息仍为最新。</div>'
            if unavailable else "")
    rows = [("统一社会信用代码", f'<span class="code">{_e(org.get("uscc"))}</span>'),
            ("组织类型", _e(org.get("org_type"))), ("法定代表人", _e(rep.get("name"))),
            ("成立登记日期", _e(org.get("registration_date"))), ("住所", _e(org.get("address"))),
            ("业务主管单位", _e(org.get("supervisory_unit") or "无")), ("业务范围", _e(org.get("business_scope"))),
            ("登记管理机关", _authority(org))]
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<meta name="robots" content="noindex">
<title>{_e(org.get("name"))} · 一社一码</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>一社一码 · 社会组织信息公示</h1><p>{_e(authority)}</p></header>
<main>
{_verify_banner(signature_valid, authority)}
<section class="card" aria-label="基本信息">
<h2>{_e(org.get("name"))}</h2>
<div class="code">{_e(org.get("uscc"))}</div>
<span class="{status_class}">登记状态：{_e(STATUS.get(status, status or "未知"))}</span>
</section>
{note}
{_colour_block(credit)}
<section class="card" aria-label="信用名录"><h3>信用名录</h3>{_entries(credit)}</section>
<section class="card" aria-label="评估与年报"><h3>评估与年报</h3><dl>
<dt>评估等级</dt><dd>{_grade(org)}</dd><dt>年度工作报告</dt><dd>{_annual_report(org)}</dd>
{_qualifications(org)}</dl></section>
{_disclosures(org)}
<section class="card" aria-label="登记信息"><h3>登记信息</h3><dl>{details}</dl></section>
{_legend(credit, colour_mode)}
{complaint_link(org)}
</main>
<footer>信息更新时间：{_china_time(view.get("as_of"))}（北京时间）<br>颜色随信用信息实时变化，以扫码时显示为准</footer>
</body>
</html>
"""


ERRORS: dict = {
    400: ("二维码内容无效", "此二维码中的统一社会信用代码格式不正确，可能是伪造或损坏的二维码。"),
    404: ("未找到该社会组织", "登记管理机关没有此统一社会信用代码的登记记录，请谨慎对待。"),
}


def error(status: int, uscc: str) -> str:
    title, text = ERRORS.get(status, ("暂时无法查询", "服务暂时不可用，请稍后再扫码查询。"))
    return f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>{title} · 一社一码</title><style>{CSS}</style></head>
<body><header><h1>一社一码 · 社会组织信息公示</h1></header>
<main><section class="card"><h2>{title}</h2><p>{text}</p><p class="code">{_e(uscc)}</p></section></main>
</body></html>
"""
