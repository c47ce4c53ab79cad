from __future__ import annotations

from yishe_kit.errors import Conflict, NotFound, Problem


class PlatformNotFound(NotFound):
    def __init__(self, platform_id: int):
        super().__init__("platform_not_found", f"no platform {platform_id}")


class PlatformExists(Conflict):
    def __init__(self, township_code: str):
        super().__init__("platform_exists", f"township {township_code} already has a platform", [Problem(
            "township_code", "PLAT-1", f"乡镇（街道）{township_code}已建有社会组织服务平台（每个乡镇（街道）一个）",
            f"township {township_code} already has its platform (one per township/street)")])
