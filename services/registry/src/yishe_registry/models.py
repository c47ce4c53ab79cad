"""Every table of the registry, imported once so the metadata is complete (app, migrations, tests)."""

from .annual_report.models import AnnualReport
from .application.models import Application, ApplicationStep
from .audit.models import AuditEngagement, AuditFinding, PendingChange
from .change.models import Branch
from .charter.models import Charter
from .disclosure.models import DisclosureDuty, FinancialDisclosure, FundingReceipt
from .exchange.models import ImportBatch
from .filing.models import Filing, FilingSequence
from .grade.models import Grade
from .name.models import NameClaim, NameReservation
from .organisation.models import Organisation, OrganisationHistory, OrganisationLeader, UsccSequence
from .qualification.models import MatterFiling, Qualification
from .signal.models import OrganisationSignal
from .subsidy.models import SubsidyApplication, SubsidyMonth
from .trail.models import EntityHistory
from .workforce.models import WorkforceFigure

__all__ = [
           "AnnualReport",
           "Application",
           "ApplicationStep",
           "AuditEngagement",
           "AuditFinding",
           "Branch",
           "Charter",
           "DisclosureDuty",
           "EntityHistory",
           "Filing",
           "FilingSequence",
           "FinancialDisclosure",
           "FundingReceipt",
           "Grade",
           "ImportBatch",
           "MatterFiling",
           "NameClaim",
           "NameReservation",
           "Organisation",
           "OrganisationHistory",
           "OrganisationLeader",
           "OrganisationSignal",
           "PendingChange",
           "Qualification",
           "SubsidyApplication",
           "SubsidyMonth",
           "UsccSequence",
           "WorkforceFigure",
]

