"""Every table of the registry, imported once so the metadata is complete (app, migrations, tests)."""

from .annual_report.models import AnnualReport
from .application.models import Application, ApplicationStep
from .change.models import Branch
from .charter.models import Charter
from .exchange.models import ImportBatch
from .filing.models import Filing, FilingSequence
from .grade.models import Grade
from .name.models import NameClaim, NameReservation
from .organisation.models import Organisation, OrganisationHistory, OrganisationLeader, UsccSequence
from .qualification.models import MatterFiling, Qualification
from .signal.models import OrganisationSignal
from .trail.models import EntityHistory

__all__ = ["AnnualReport", "Application", "ApplicationStep", "Branch", "Charter", "EntityHistory", "Filing",
           "FilingSequence", "Grade", "ImportBatch", "MatterFiling", "NameClaim", "NameReservation",
           "Organisation", "OrganisationHistory", "OrganisationLeader", "OrganisationSignal", "Qualification",
           "UsccSequence"]

