"""SQLAlchemy models, one module per table family. Import from here."""

from .access import RecoveryCode, SecondFactor, UserSession
from .assessment import Assessment
from .base import Base, UTCDateTime
from .campaign import Campaign, Requirement
from .history import WorkflowEvent
from .letter import Letter, RegistrationCounter
from .organisation import Municipality, OrganisationProfile
from .programme import Programme, ProgrammeSection
from .remark import Remark, RemarkReply
from .revision import ImmutableRowError, Revision, RevisionSection
from .security import ApiToken, LoginAttempt, SecurityEvent
from .user import User

__all__ = [
    "ApiToken", "Assessment", "Base", "LoginAttempt", "SecurityEvent", "Campaign", "ImmutableRowError", "Letter", "Municipality",
    "OrganisationProfile", "Programme", "ProgrammeSection", "RegistrationCounter", "Remark",
    "RemarkReply", "Requirement", "Revision", "RevisionSection", "UTCDateTime", "User",
    "WorkflowEvent",
    "RecoveryCode", "SecondFactor", "UserSession",
]
