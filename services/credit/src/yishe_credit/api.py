"""Credit's HTTP API, mounted under /v1."""

from .complaint.router import router as complaint_router
from .indicator.router import router as indicator_router
from .inspection.router import router as inspection_router
from .job.router import router as job_router
from .listing.router import router as listing_router
from .mailing.router import router as mailing_router
from .objection.router import router as objection_router
from .profile.router import router as profile_router
from .publication.router import router as publication_router
from .record.router import router as record_router
from .risk.router import router as risk_router
from .workday.router import router as calendar_router
from .zombie.router import router as zombie_router

routers = [profile_router, record_router, listing_router, mailing_router, objection_router, publication_router,
           complaint_router, inspection_router, zombie_router, risk_router, indicator_router, job_router,
           calendar_router]
