from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem


class PartyOrgNotFound(NotFound):
    def __init__(self, org_id: int):
        super().__init__("party_org_not_found", f"no Party organisation {org_id}")


class FormationRefused(InvalidInput):
    def __init__(self, problems: list[Problem]):
        super().__init__("formation_refused", "the Party organisation breaks the rules listed in errors", problems)


class AlreadyCovered(Conflict):
    def __init__(self, field: str, uscc: str, org_id: int):
        super().__init__("already_covered", f"{uscc} is already in Party organisation {org_id}", [Problem(
            field, "PARTY-2", f"{uscc} 已纳入党组织（编号{org_id}），不能重复组建",
            f"{uscc} is already covered by Party organisation {org_id}")])


class PartyOrgDissolved(Conflict):
    def __init__(self, org_id: int):
        super().__init__("party_org_dissolved", f"Party organisation {org_id} is dissolved", [Problem(
            "org_id", "PARTY-1", "该党组织已撤销", "the Party organisation is dissolved")])


class UnitNotInOrg(Conflict):
    def __init__(self, uscc: str):
        super().__init__("unit_not_in_party_org", f"{uscc} is not a current unit", [Problem(
            "uscc", "PARTY-2", "该组织不是本党组织的现有单位", "the organisation is not a current unit")])
