from yishe_kit.errors import Conflict, NotFound, Problem

STATES_ZH = {"transferred_out": "转出", "removed": "减少（除名、出党或去世）"}


class MemberNotFound(NotFound):
    def __init__(self, member_id: int):
        super().__init__("member_not_found", f"no Party member {member_id}")


class MemberAlreadyActive(Conflict):
    def __init__(self) -> None:
        super().__init__("member_already_active", "this ID number belongs to an active member elsewhere", [Problem(
            "id_number", "PARTY-5", "该身份证号码对应的党员在其他社会组织仍为在册党员，请由原组织办理组织关系转出",
            "the person is an active member of another organisation: transfer the membership out from there")])


class MemberNotActive(Conflict):
    def __init__(self, state: str) -> None:
        super().__init__("member_not_active", f"the member is {state}", [Problem(
            "member_id", "PARTY-5", f"该党员已{STATES_ZH.get(state, state)}，不能再变更",
            f"the member is {state} and cannot be changed")])


class StatusChangeRefused(Conflict):
    def __init__(self) -> None:
        super().__init__("status_change_refused", "a full member cannot become probationary", [Problem(
            "status", "PARTY-5", "正式党员不能改为预备党员", "a full member cannot be changed back to probationary")])


class TransferRefused(Conflict):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__("transfer_refused", en, [Problem("to_uscc", "PARTY-5", zh, en)])
