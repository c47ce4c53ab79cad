from yishe_kit.errors import InvalidInput, Problem

from ..errors import Missing
from ..name.exceptions import NameTaken

__all__ = ["NameTaken", "OrganisationNotFound", "RegistrationRefused"]


class OrganisationNotFound(Missing):
    def __init__(self, uscc: str):
        super().__init__("organisation", uscc, "社会组织")
        self.problems = [Problem("uscc", None, f"未找到统一社会信用代码为{uscc}的社会组织",
                                 f"no organisation with USCC {uscc}")]


class RegistrationRefused(InvalidInput):
    def __init__(self, problems: list[Problem]):
        super().__init__("registration_refused", "the registration breaks the rules listed in errors", problems)
