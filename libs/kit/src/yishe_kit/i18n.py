"""Chinese first: which language a caller reads (`Accept-Language`, Chinese unless English is preferred), and each
request-validation error (pydantic's error types) as a Chinese and an English sentence naming the field and the rule,
so no library English ends up inside a Chinese message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ZH, EN = "zh", "en"

# pydantic error type → (Chinese, English); `{field}` and the error's `ctx` values are filled in.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填字段 {field}", "{field} is required"),
    "extra_forbidden": ("不接受字段 {field}（未定义的字段）", "{field} is not an accepted field"),
    "json_invalid": ("请求体不是有效的 JSON（第 {position} 个字符附近有语法错误）",
                     "the request body is not valid JSON (near character {position}: {error})"),
    "json_type": ("字段 {field} 应为 JSON 文本", "{field} must be JSON text"),
    "model_attributes_type": ("{field} 应为 JSON 对象", "{field} must be a JSON object"),
    "model_type": ("{field} 应为 JSON 对象", "{field} must be a JSON object"),
    "dict_type": ("{field} 应为 JSON 对象", "{field} must be a JSON object"),
    "list_type": ("字段 {field} 应为数组", "{field} must be a list"),
    "tuple_type": ("字段 {field} 应为数组", "{field} must be a list"),
    "set_type": ("字段 {field} 应为数组", "{field} must be a list"),
    "string_type": ("字段 {field} 应为字符串", "{field} must be a string"),
    "string_too_short": ("字段 {field} 至少 {min_length} 个字符", "{field} must have at least {min_length} characters"),
    "string_too_long": ("字段 {field} 至多 {max_length} 个字符", "{field} must have at most {max_length} characters"),
    "string_pattern_mismatch": ("字段 {field} 的格式不正确（应符合 {pattern}）", "{field} must match {pattern}"),
    "string_unicode": ("字段 {field} 应为有效的 Unicode 文本", "{field} must be valid Unicode text"),
    "int_type": ("字段 {field} 应为整数", "{field} must be an integer"),
    "int_parsing": ("字段 {field} 应为整数", "{field} must be an integer"),
    "int_from_float": ("字段 {field} 应为整数（不能有小数部分）", "{field} must be a whole number"),
    "float_type": ("字段 {field} 应为数字", "{field} must be a number"),
    "float_parsing": ("字段 {field} 应为数字", "{field} must be a number"),
    "decimal_type": ("字段 {field} 应为数字", "{field} must be a number"),
    "decimal_parsing": ("字段 {field} 应为数字", "{field} must be a number"),
    "decimal_max_digits": ("字段 {field} 至多 {max_digits} 位数字", "{field} must have at most {max_digits} digits"),
    "decimal_max_places": ("字段 {field} 至多 {decimal_places} 位小数",
                           "{field} must have at most {decimal_places} decimal places"),
    "decimal_whole_digits": ("字段 {field} 整数部分至多 {whole_digits} 位",
                             "{field} must have at most {whole_digits} digits before the point"),
    "bool_type": ("字段 {field} 应为布尔值（true 或 false）", "{field} must be true or false"),
    "bool_parsing": ("字段 {field} 应为布尔值（true 或 false）", "{field} must be true or false"),
    "greater_than": ("字段 {field} 应大于 {gt}", "{field} must be greater than {gt}"),
    "greater_than_equal": ("字段 {field} 应大于或等于 {ge}", "{field} must be at least {ge}"),
    "less_than": ("字段 {field} 应小于 {lt}", "{field} must be less than {lt}"),
    "less_than_equal": ("字段 {field} 应小于或等于 {le}", "{field} must be at most {le}"),
    "multiple_of": ("字段 {field} 应为 {multiple_of} 的倍数", "{field} must be a multiple of {multiple_of}"),
    "too_short": ("字段 {field} 至少 {min_length} 项", "{field} must have at least {min_length} items"),
    "too_long": ("字段 {field} 至多 {max_length} 项", "{field} must have at most {max_length} items"),
    "literal_error": ("字段 {field} 应为以下之一：{expected}", "{field} must be one of: {expected}"),
    "enum": ("字段 {field} 应为以下之一：{expected}", "{field} must be one of: {expected}"),
    "date_type": ("字段 {field} 应为日期（YYYY-MM-DD）", "{field} must be a date (YYYY-MM-DD)"),
    "date_parsing": ("字段 {field} 应为日期（YYYY-MM-DD）", "{field} must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("字段 {field} 应为日期（YYYY-MM-DD）", "{field} must be a date (YYYY-MM-DD)"),
    "date_from_datetime_inexact": ("字段 {field} 应为日期，不含时刻", "{field} must be a date without a time"),
    "datetime_type": ("字段 {field} 应为时间（ISO 8601）", "{field} must be a date-time (ISO 8601)"),
    "datetime_parsing": ("字段 {field} 应为时间（ISO 8601）", "{field} must be a date-time (ISO 8601)"),
    "datetime_from_date_parsing": ("字段 {field} 应为时间（ISO 8601）", "{field} must be a date-time (ISO 8601)"),
    "time_parsing": ("字段 {field} 应为时刻（HH:MM[:SS]）", "{field} must be a time (HH:MM[:SS])"),
    "timezone_aware": ("字段 {field} 应带时区", "{field} must include a time zone"),
    "date_past": ("字段 {field} 应为过去的日期", "{field} must be in the past"),
    "date_future": ("字段 {field} 应为将来的日期", "{field} must be in the future"),
    "uuid_type": ("字段 {field} 应为 UUID", "{field} must be a UUID"),
    "uuid_parsing": ("字段 {field} 应为 UUID", "{field} must be a UUID"),
    "url_type": ("字段 {field} 应为网址", "{field} must be a URL"),
    "url_parsing": ("字段 {field} 应为有效的网址", "{field} must be a valid URL"),
    "url_scheme": ("字段 {field} 的网址协议应为 {expected_schemes}", "{field} must use {expected_schemes}"),
    "bytes_type": ("字段 {field} 应为字节串", "{field} must be bytes"),
    "none_required": ("字段 {field} 应为空", "{field} must be null"),
    "is_instance_of": ("字段 {field} 的类型不正确", "{field} has the wrong type"),
    "union_tag_invalid": ("字段 {field} 的类型标记应为以下之一：{expected_tags}",
                          "{field}'s tag must be one of: {expected_tags}"),
    "union_tag_not_found": ("字段 {field} 缺少类型标记 {discriminator}", "{field} lacks its tag {discriminator}"),
}
_FALLBACK = ("字段 {field} 的值不符合要求（规则 {type}）", "{field} does not satisfy {type}")
# `value_error` / `assertion_error` come from our own validators: their message is ours (often already Chinese).
_OWN = ("字段 {field} 不符合要求：{reason}", "{field} is invalid: {reason}")

_LOCATION_ZH = {"body": "请求体", "query": "查询参数", "path": "路径参数", "header": "请求头", "cookie": "Cookie"}
_LOCATION_EN = {"body": "the request body", "query": "the query", "path": "the path", "header": "the headers",
                "cookie": "the cookies"}


def language(accept_language: str | None) -> str:
    """`en` when the caller prefers English over Chinese (`Accept-Language: en`, `en-US,en;q=0.9`), else `zh`."""
    if not accept_language:
        return ZH
    best, best_q = ZH, -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = EN if tag.startswith("en") else ZH if tag.startswith("zh") else None
        if lang is not None and q > best_q:
            best, best_q = lang, q
    return best


def field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """The field's dotted path without the location word: `("body", "leaders", 0, "name")` → `leaders.0.name`."""
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in _LOCATION_ZH else [str(p) for p in loc]
    return ".".join(parts) or None


class _Ctx(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _choices(expected: Any) -> list[str]:
    """pydantic's `'a', 'b' or 'c'` as the list of choices (its 'or' is English)."""
    text = str(expected).replace("' or '", "', '")
    return [c.strip().strip("'") for c in text.split(", ") if c.strip()]


def validation_messages(err: Mapping[str, Any]) -> tuple[str | None, str, str]:
    """(field, Chinese, English) for one pydantic error; the library's own English is never used."""
    loc = tuple(err.get("loc", ()))
    kind = str(err.get("type", "value_error"))
    ctx = dict(err.get("ctx") or {})
    where = loc[0] if loc and loc[0] in _LOCATION_ZH else "body"
    field = field_of(loc)
    if kind == "json_invalid":
        position = loc[1] if len(loc) > 1 else "?"
        zh_json, en_json = (t.format_map(_Ctx(position=position, error=ctx.get("error", "")))
                            for t in _MESSAGES["json_invalid"])
        return None, zh_json, en_json
    if kind in ("value_error", "assertion_error"):
        reason = str(ctx.get("error") or err.get("msg", "")).removeprefix("Value error, ").removeprefix(
            "Assertion failed, ")
        templates = _OWN
        values = {"reason": reason}
    else:
        templates = _MESSAGES.get(kind, _FALLBACK)
        values = dict(ctx)
    zh_values, en_values = dict(values), dict(values)
    if "expected" in values:
        zh_values["expected"] = "、".join(_choices(values["expected"]))
        en_values["expected"] = ", ".join(_choices(values["expected"]))
    zh = templates[0].format_map(_Ctx(**zh_values, field=field or _LOCATION_ZH[where], type=kind))
    en = templates[1].format_map(_Ctx(**en_values, field=field or _LOCATION_EN[where], type=kind))
    return field, zh, en


# Chinese for the statuses a framework (not our code) refuses with: 404 unknown path, 405 wrong method, …
STATUS_ZH = {
    400: "请求有误", 401: "未登录或登录已失效", 403: "无权执行此操作", 404: "请求的地址不存在",
    405: "该地址不支持此请求方法", 406: "无法按所要求的格式答复", 409: "与当前状态冲突", 411: "请求缺少长度",
    413: "请求体过大", 415: "不支持的请求体类型",
    422: "请求不符合接口定义", 429: "请求过于频繁", 500: "服务内部错误", 502: "上游服务不可达", 503: "服务暂不可用",
    504: "上游服务超时",
}
STATUS_EN = {
    400: "bad request", 401: "not signed in", 403: "forbidden", 404: "no such path", 405: "method not allowed",
    406: "not acceptable", 409: "conflict", 411: "length required", 413: "request body too large",
    415: "unsupported media type", 422: "the request does not match the API", 429: "too many requests",
    500: "internal error", 502: "upstream unreachable", 503: "service unavailable", 504: "upstream timed out",
}
