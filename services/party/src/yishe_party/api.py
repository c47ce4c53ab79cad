"""Party's HTTP API, mounted under /v1."""

from .community.router import router as community_router
from .coverage.router import router as coverage_router
from .formation.router import router as formation_router
from .funding.router import router as funding_router
from .job.router import router as job_router
from .member.router import router as member_router
from .organisation.router import router as organisation_router
from .party_org.router import router as party_org_router
from .record.router import router as record_router
from .sync.router import router as sync_router
from .talent.router import router as talent_router

routers = [organisation_router, record_router, member_router, formation_router, party_org_router, talent_router,
           sync_router, coverage_router, funding_router, job_router, community_router]
