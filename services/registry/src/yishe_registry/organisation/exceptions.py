from yishe_kit.errors import Conflict, InvalidInput, Problem

from ..errors import Missing
from ..name.exceptions import NameTaken

__all__ = ["LegalRepTaken", "NameTaken", "OrganisationNotFound", "RegistrationRefused"]


class OrganisationNotFound(Missing):
    def __init__(self, uscc: str):
        super().__init__("organisation", uscc, "社会组织")
        self.problems = [Problem("uscc", None, f"未找到统一社会信用代码为{uscc}的社会组织",
                                 f"no organisation with USCC {uscc}")]


class RegistrationRefused(InvalidInput):
    def __init__(self, problems: list[Problem]):
        super().__init__("registration_refused", "the registration breaks the rules listed in errors", problems)


class LegalRepTaken(Conflict):
    """REG-2 / REG-4: the legal representative already holds a post this one excludes (409: the register, not the
    request, is in the way; concurrent requests naming one person are serialised and the later one gets this)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("legal_representative_taken", "the legal representative already represents another "
                         "organisation (see errors)", problems)
