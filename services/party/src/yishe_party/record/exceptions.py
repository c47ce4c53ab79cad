from yishe_kit.errors import Conflict, NotFound, Problem


class RecordNotFound(NotFound):
    def __init__(self, uscc: str):
        super().__init__("party_record_not_found", f"no Party-building record for {uscc}")


class OrganisationInactive(Conflict):
    def __init__(self, uscc: str, status: str):
        super().__init__("organisation_inactive", f"{uscc} is {status}", [Problem(
            "uscc", "PARTY-5", f"该社会组织状态为{status}，不再纳入党建工作",
            f"the organisation is {status} and no longer in Party-building work")])
