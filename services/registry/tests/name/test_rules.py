from __future__ import annotations

import pytest

from yishe_registry.config import RulesSettings
from yishe_registry.name import rules

NAMES = RulesSettings().division_names


def ctx(org_type: str = "社会团体", community: bool = False, township: str | None = None) -> rules.NameContext:
    return rules.NameContext(org_type, "330302", community, township)


def test_canonical_folds_width_and_spacing_when_name_typed_loosely() -> None:
    assert rules.canonical("温州市 鹿城区　ＡＢ(青年)协会") == "温州市鹿城区AB（青年）协会"
    assert rules.key("温州市鹿城区ａｂ协会") == rules.key("温州市 鹿城区AB协会")


@pytest.mark.parametrize(("name", "org_type", "rule", "fragment"), [
    ("中华温州市鹿城区青年协会", "社会团体", "REG-6", "中国/全国/中华"),
    ("鹿城青年志愿者协会", "社会团体", "REG-6", "division name"),
    ("温州市鹿城区青年志愿者中心", "社会团体", "REG-6", "organisational form"),
    ("温州市鹿城区协会", "社会团体", "REG-6", "sector"),
    ("温州市鹿城区ABC协会", "社会团体", "REG-6", "standard Chinese"),
    ("温州市鹿城区阳光养老协会", "民办非企业单位", "REG-6", "organisational form"),
])
def test_validator_names_the_rule_when_a_name_breaks_it(name, org_type, rule, fragment) -> None:
    problems = rules.validate(name, ctx(org_type), NAMES)
    assert any(p.rule == rule and fragment in p.message_en for p in problems), problems


def test_validator_accepts_district_short_form_and_full_form_when_not_community() -> None:
    assert rules.validate("温州市鹿城区青年志愿者协会", ctx(), NAMES) == []
    assert rules.validate("鹿城区青年志愿者协会", ctx(), NAMES) == []


def test_community_name_needs_city_township_and_label_when_reg7() -> None:
    good = rules.validate("温州市鹿城区五马街道邻里互助服务队", ctx(community=True, township="五马街道"), NAMES)
    assert good == []
    short = rules.validate("鹿城区五马街道邻里互助服务队", ctx(community=True, township="五马街道"), NAMES)
    assert [p.rule for p in short] == ["REG-7"]


def test_builder_requires_trade_name_for_foundations_when_building() -> None:
    name, problems = rules.build(rules.NameParts("温州市鹿城区", None, None, None, "助学", "基金会"), ctx("基金会"))
    assert name == "温州市鹿城区助学基金会" and [(p.field, p.rule) for p in problems] == [("trade_name", "REG-6")]


def test_similarity_high_when_cores_alike() -> None:
    assert rules.similarity("青年志愿者", "青年志愿者") == 1.0
    assert rules.similarity("青年志愿者", "青年志愿") > 0.8
    assert rules.similarity("青年志愿者", "老年书画") < 0.3
