"""PROC-5: the six kinds of things government may not buy as services, checked on declarations and on wording."""

from __future__ import annotations

from enum import StrEnum

from yishe_kit.errors import Problem


class ContentType(StrEnum):
    """What is being bought; only `service` may be bought as a purchase of services (PROC-5 item 3-5)."""

    SERVICE = "service"
    GOODS = "goods"
    WORKS = "works"
    WORKS_WITH_SERVICES = "works_with_services"
    FINANCING = "financing"
    STAFFING = "staffing"


_BY_CONTENT = {
    ContentType.GOODS: ("PROC-5.3", "货物不属于政府购买服务范围（适用政府采购法）",
                        "goods fall under procurement law, not purchase of services"),
    ContentType.WORKS: ("PROC-5.3", "工程不属于政府购买服务范围（适用政府采购法）",
                        "works fall under procurement law, not purchase of services"),
    ContentType.WORKS_WITH_SERVICES: ("PROC-5.3", "不得将工程与服务打包作为购买服务项目",
                                      "a project may not bundle works with services"),
    ContentType.FINANCING: ("PROC-5.4", "融资行为不得作为政府购买服务", "financing may not be bought as a service"),
    ContentType.STAFFING: ("PROC-5.5", "购买主体的人员招聘、劳务派遣用工及公益性岗位不得作为政府购买服务",
                           "the purchaser's own recruitment, labour dispatch or public-welfare posts may not be "
                           "bought as a service"),
}

_KEYWORD_TEXT = {
    "PROC-5.3": ("货物或工程", "goods or works"),
    "PROC-5.4": ("融资", "financing"),
    "PROC-5.5": ("人员招聘、劳务派遣或公益性岗位", "recruitment, labour dispatch or public-welfare posts"),
}


def screen_wording(texts: dict[str, str | None], keywords: dict[str, list[str]]) -> list[Problem]:
    """A title or description naming an excluded kind (e.g. 劳务派遣) is refused with that PROC-5 item."""
    problems = []
    for field, text in texts.items():
        for rule, words in keywords.items():
            hit = next((w for w in words if text and w in text), None)
            if hit:
                zh, en = _KEYWORD_TEXT.get(rule, ("禁止购买事项", "an excluded matter"))
                problems.append(Problem(field, rule, f"“{hit}”属于{zh}，不得作为政府购买服务内容",
                                        f"'{hit}' is {en}, which may not be bought as a service"))
    return problems


def screen(*, content_type: ContentType, within_purchaser_duties: bool, government_must_perform: bool,
           legally_excluded: bool, texts: dict[str, str | None], keywords: dict[str, list[str]]) -> list[Problem]:
    """PROC-5 items 1-6, each refused with its own rule id and reason."""
    problems = []
    if not within_purchaser_duties:
        problems.append(Problem("within_purchaser_duties", "PROC-5.1", "不属于政府职责范围的服务事项不得购买",
                                "services outside the government's duties may not be bought"))
    if government_must_perform:
        problems.append(Problem("government_must_perform", "PROC-5.2", "应当由政府直接履职的事项不得购买",
                                "matters the government must perform itself may not be bought"))
    if content_type in _BY_CONTENT:
        rule, zh, en = _BY_CONTENT[content_type]
        problems.append(Problem("content_type", rule, zh, en))
    if legally_excluded:
        problems.append(Problem("legally_excluded", "PROC-5.6", "法律、行政法规及国务院规定的其他不得购买事项",
                                "excluded by law, administrative regulation or the State Council"))
    return problems + screen_wording(texts, keywords)
