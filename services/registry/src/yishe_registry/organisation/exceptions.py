from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem


class OrganisationNotFound(NotFound):
    def __init__(self, uscc: str):
        super().__init__("organisation_not_found", f"no organisation with USCC {uscc}")


class NameTaken(Conflict):
    def __init__(self, name: str):
        super().__init__(
            "name_taken",
            f"the name {name!r} is already registered",
            [Problem("name", "REG-6", f"名称“{name}”已被登记（一个社会组织只能有一个名称，名称不得重复）",
                     "One organisation, one registered name: this name is already registered")],
        )


class RegistrationRefused(InvalidInput):
    def __init__(self, problems: list[Problem]):
        super().__init__("registration_refused", "the registration breaks the rules listed in errors", problems)
