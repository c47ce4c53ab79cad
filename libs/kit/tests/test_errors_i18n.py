"""Chinese first (issue 15 item 4, I18N-1): every refusal in Chinese by default, English with `Accept-Language: en`,
each 4xx naming the field and the rule; validation errors translated per type, no library English in Chinese."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

import pytest
from fastapi import FastAPI, Query
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel, ConfigDict, Field

from yishe_kit.errors import InvalidInput, Problem, install_handlers
from yishe_kit.i18n import language


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rationale: str = Field(min_length=2)
    count: int = Field(default=1, ge=1)
    kind: Literal["社会团体", "基金会"] = "社会团体"
    on: date | None = None


app = FastAPI()
install_handlers(app)


@app.post("/things")
async def create(body: Body, page: int = Query(default=1, ge=1)) -> dict:
    return {}


@app.post("/refuse")
async def refuse() -> dict:
    raise InvalidInput("name_taken", "the name is taken",
                       [Problem("name", "REG-6", "名称已被占用", "the name is taken")])


@pytest.fixture
async def client():
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as c:
        yield c


# Library English that must never appear inside a Chinese message.
_ENGLISH = re.compile(r"Field required|Input should|String should|JSON decode|Expecting|error parsing|Not Found|"
                      r"Method Not Allowed|Value error")


def assert_chinese(body: dict) -> None:
    zh_texts = [body["detail"], body["detail_zh"], *(e["message_zh"] for e in body.get("errors", []))]
    for text in zh_texts:
        assert not _ENGLISH.search(text), text
        assert re.search(r"[\u4e00-\u9fff]", text), text
    for error in body["errors"]:
        assert error["rule"], error


@pytest.mark.parametrize(("payload", "field", "rule", "zh"), [
    ({}, "rationale", "missing", "缺少必填字段 rationale"),
    ({"rationale": "a"}, "rationale", "string_too_short", "字段 rationale 至少 2 个字符"),
    ({"rationale": "ok", "count": 0}, "count", "greater_than_equal", "字段 count 应大于或等于 1"),
    ({"rationale": "ok", "count": "x"}, "count", "int_parsing", "字段 count 应为整数"),
    ({"rationale": "ok", "kind": "公司"}, "kind", "literal_error", "字段 kind 应为以下之一：社会团体、基金会"),
    ({"rationale": "ok", "on": "2026-13-01"}, "on", "date_from_datetime_parsing", "字段 on 应为日期（YYYY-MM-DD）"),
    ({"rationale": "ok", "extra": 1}, "extra", "extra_forbidden", "不接受字段 extra（未定义的字段）"),
])
async def test_validation_error_is_chinese_naming_field_and_rule_when_body_breaks_a_rule(client, payload, field, rule,
                                                                                        zh) -> None:
    """I18N-1: each pydantic error type becomes a Chinese sentence with the field; the rule is the error type."""
    resp = await client.post("/things", json=payload)
    assert resp.status_code == 422 and resp.headers["content-type"] == "application/problem+json"
    assert resp.headers["content-language"] == "zh-CN"
    body = resp.json()
    assert_chinese(body)
    [error] = body["errors"]
    assert (error["field"], error["rule"]) == (field, rule)
    assert error["message_zh"] == zh and zh in body["detail"]


async def test_validation_error_is_english_when_accept_language_prefers_english(client) -> None:
    """I18N-1: `Accept-Language: en` (with q-values) switches `detail`; both languages stay in the body."""
    resp = await client.post("/things?page=0", json={}, headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    body = resp.json()
    assert resp.headers["content-language"] == "en"
    assert body["detail"] == body["detail_en"]
    assert "rationale is required" in body["detail"] and "page must be at least 1" in body["detail"]
    assert {e["field"] for e in body["errors"]} == {"rationale", "page"}
    assert body["detail_zh"].startswith("请求不符合接口定义：")


async def test_malformed_json_is_named_in_chinese_when_body_does_not_parse(client) -> None:
    """I18N-1: a syntax error in the JSON body is a Chinese message naming the request body and where."""
    resp = await client.post("/things", content=b'{"rationale": ', headers={"content-type": "application/json"})
    body = resp.json()
    assert resp.status_code == 422 and body["errors"][0]["rule"] == "json_invalid"
    assert_chinese(body)
    assert body["errors"][0]["message_zh"].startswith("请求体不是有效的 JSON（第 14 个字符附近")


async def test_undecodable_body_is_chinese_not_library_english_when_bytes_are_not_utf8(client) -> None:
    """I18N-1: FastAPI's bare 'There was an error parsing the body' becomes a Chinese message naming the body."""
    resp = await client.post("/things", content=b'{"rationale": "\xff"}', headers={"content-type": "application/json"})
    body = resp.json()
    assert resp.status_code == 400
    assert_chinese(body)
    assert body["errors"][0]["field"] == "body" and body["errors"][0]["rule"] == "HTTP-400"
    assert body["detail_en"] == "There was an error parsing the body"


async def test_unknown_path_and_wrong_method_are_chinese_when_the_framework_refuses(client) -> None:
    """I18N-1: the framework's 404/405 in the same problem+json shape, Chinese first."""
    missing = (await client.get("/nowhere")).json()
    assert missing["detail"] == "请求的地址不存在" and missing["errors"][0]["rule"] == "HTTP-404"
    wrong = await client.get("/things", headers={"Accept-Language": "en"})
    assert wrong.status_code == 405 and wrong.json()["detail"] == "Method Not Allowed"
    assert wrong.json()["detail_zh"] == "该地址不支持此请求方法"


async def test_domain_error_detail_is_chinese_by_default_and_english_on_request(client) -> None:
    """I18N-1: a domain refusal's `detail` follows the caller's language; the problem keeps both."""
    zh = (await client.post("/refuse")).json()
    en = (await client.post("/refuse", headers={"Accept-Language": "en"})).json()
    assert zh["detail"] == "名称已被占用" and en["detail"] == "the name is taken"
    assert zh["errors"] == en["errors"] == [{"field": "name", "rule": "REG-6", "message_zh": "名称已被占用",
                                             "message": "the name is taken"}]


@pytest.mark.parametrize(("header", "expected"), [
    (None, "zh"), ("", "zh"), ("en", "en"), ("en-US", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en;q=0.5,zh;q=0.8", "zh"), ("fr,en;q=0.7", "en"), ("fr", "zh"),
])
def test_language_is_chinese_unless_english_is_preferred(header, expected) -> None:
    """I18N-1: Chinese is the default; English only when the caller ranks it above Chinese."""
    assert language(header) == expected
