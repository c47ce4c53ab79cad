"""Project follow-ups (项目跟踪): at least three per project cycle (PLAT-1), scheduled at signing, overdue visible."""
