"""Registry's HTTP API, mounted under /v1."""

from .annual_report.router import router as annual_report_router
from .application.router import router as application_router
from .audit.router import router as audit_router
from .change.router import router as change_router
from .charter.router import router as charter_router
from .disclosure.router import router as disclosure_router
from .exchange.router import router as exchange_router
from .filing.router import router as filing_router
from .grade.router import router as grade_router
from .job.router import router as job_router
from .lifecycle.router import router as lifecycle_router
from .name.router import router as name_router
from .organisation.router import router as organisation_router
from .qualification.router import router as qualification_router
from .search.router import router as search_router
from .subsidy.router import router as subsidy_router
from .workforce.router import router as workforce_router

routers = [organisation_router, name_router, application_router, filing_router, change_router, lifecycle_router,
           charter_router, annual_report_router, grade_router, qualification_router, search_router,
           exchange_router, job_router]
# audits, financial disclosure, workforce and subsidies (issue 18)
routers += [audit_router, disclosure_router, workforce_router, subsidy_router]
