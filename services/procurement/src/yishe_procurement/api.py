"""Procurement's HTTP API, mounted under /v1."""

from .bid.router import router as bid_router
from .bidder.router import router as bidder_router
from .catalogue.router import router as catalogue_router
from .contract.router import router as contract_router
from .disclosure.router import router as disclosure_router
from .evaluation.router import router as evaluation_router
from .followup.router import router as followup_router
from .job.router import router as job_router
from .need.router import router as need_router
from .ocds.router import router as ocds_router
from .performance.router import router as performance_router
from .project.router import router as project_router
from .report.router import router as report_router
from .venture.router import router as venture_router

routers = [bidder_router, catalogue_router, need_router, project_router, bid_router, evaluation_router,
           contract_router, followup_router, performance_router, disclosure_router, venture_router, report_router,
           ocds_router, job_router]
