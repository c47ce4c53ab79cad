from yishe_kit.errors import Conflict, InvalidInput, NotFound, Problem


class TalentNotFound(NotFound):
    def __init__(self, talent_id: int):
        super().__init__("talent_not_found", f"no talent {talent_id} in the Party-building talent pool")


class CoverNotFound(NotFound):
    def __init__(self, cover_id: int):
        super().__init__("work_cover_not_found", f"no work cover {cover_id}")


class CoverRefused(InvalidInput):
    def __init__(self, problems: list[Problem]):
        super().__init__("work_cover_refused", "the assignment breaks the rules listed in errors", problems)


class TalentRefused(InvalidInput):
    def __init__(self, problems: list[Problem]):
        super().__init__("talent_refused", "the talent entry breaks the rules listed in errors", problems)


class CoverConflict(Conflict):
    def __init__(self, field: str, rule: str, zh: str, en: str):
        super().__init__("work_cover_conflict", en, [Problem(field, rule, zh, en)])
