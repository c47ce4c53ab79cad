from yishe_kit.errors import Conflict, Problem


class NameTaken(Conflict):
    def __init__(self, name: str, holder_type: str = "organisation"):
        holder_zh = {"organisation": "登记", "reservation": "预留", "filing": "备案"}.get(holder_type, "使用")
        super().__init__(
            "name_taken", f"the name {name!r} is already {holder_type}",
            [Problem("name", "REG-6", f"名称“{name}”已被{holder_zh}（一个社会组织只能有一个名称，名称不得重复）",
                     f"One organisation, one registered name: this name is already in use ({holder_type})")],
        )


class SimilarNames(Conflict):
    def __init__(self, names: list[str]):
        listed = "、".join(names[:5])
        super().__init__("similar_names", "similar names exist in this division", [Problem(
            "name", "REG-2", f"本行政区域内已有名称相近的社会组织：{listed}；确需设立请确认（acknowledge_similar）",
            f"similar names exist in this division ({', '.join(names[:5])}); confirm with acknowledge_similar")])


class OneTradeOneAssociation(Conflict):
    def __init__(self, names: list[str], sector: str):
        super().__init__("industry_association_exists", "an industry association of this sector exists", [Problem(
            "sector", "REG-8", f"一业一会、一地一会：本行政区域“{sector}”行业已有行业协会商会：{'、'.join(names[:3])}",
            f"one trade, one association per division: {sector} already has {', '.join(names[:3])}")])
