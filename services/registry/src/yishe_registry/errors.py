"""Errors shared by the registry's domains (each domain adds its own in exceptions.py)."""

from __future__ import annotations

from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem


class Refused(InvalidInput):
    """A business rule refused well-formed input (400): every failed rule with its field and id."""

    def __init__(self, problems: list[Problem], code: str = "request_refused"):
        super().__init__(code, "the request breaks the rules listed in errors", problems)


class WrongState(Conflict):
    """The record is not in a state that allows this step (409)."""

    def __init__(self, field: str, rule: str, zh: str, en: str, code: str = "wrong_state"):
        super().__init__(code, en, [Problem(field, rule, zh, en)])


class Missing(NotFound):
    def __init__(self, what: str, key: object, what_zh: str = "记录"):
        super().__init__(f"{what}_not_found", f"no {what.replace('_', ' ')} {key}")
        self.problems = [Problem(what, None, f"未找到{what_zh}：{key}", f"no {what.replace('_', ' ')} {key}")]


def refuse(field: str, rule: str, zh: str, en: str) -> Refused:
    return Refused([Problem(field, rule, zh, en)])
