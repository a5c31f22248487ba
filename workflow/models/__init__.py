"""SQLAlchemy models, one module per table family. Import from here."""

from .access import RecoveryCode, SecondFactor, UserSession
from .assessment import Assessment
from .base import Base, UTCDateTime
from .batch import SignBatch, SignBatchItem
from .campaign import Campaign, Requirement
from .files import FileBlob, ProgrammeFile, RevisionFile
from .history import WorkflowEvent
from .letter import Letter, RegistrationCounter
from .notification import Notification
from .organisation import Municipality, OrganisationProfile
from .programme import Programme, ProgrammeSection
from .remark import Remark, RemarkReply
from .revision import ImmutableRowError, Revision, RevisionSection
from .security import ApiToken, LoginAttempt, LoginThrottle, SecurityEvent
from .signing import SignerCertificate, SigningSession
from .user import User

__all__ = [
    "ApiToken", "Assessment", "Base", "LoginAttempt", "LoginThrottle", "SecurityEvent", "Campaign", "FileBlob", "ImmutableRowError", "Letter", "Municipality",
    "OrganisationProfile", "Programme", "ProgrammeFile", "ProgrammeSection", "RegistrationCounter", "Remark",
    "RemarkReply", "Requirement", "Revision", "RevisionFile", "RevisionSection", "UTCDateTime", "User",
    "WorkflowEvent",
    "Notification", "SignerCertificate", "SigningSession", "SignBatch", "SignBatchItem",
    "RecoveryCode", "SecondFactor", "UserSession",
]
