"""Load-or-404 for routes of domains that hang off a contract (follow-ups, disclosures, performance)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from yishe_kit.db import SessionDep

from . import service
from .models import Contract


async def load_contract(contract_id: str, session: SessionDep) -> Contract:
    return await service.get(session, contract_id)


ContractDep = Annotated[Contract, Depends(load_contract)]
