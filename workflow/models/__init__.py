"""SQLAlchemy models, one module per table family. Import from here."""

from .absence import Absence
from .access import RecoveryCode, SecondFactor, UserSession
from .assessment import Assessment
from .base import Base, UTCDateTime
from .batch import SignBatch, SignBatchItem
from .campaign import Campaign, CampaignParticipant, Requirement
from .files import FileBlob, ProgrammeFile, RevisionFile
from .history import WorkflowEvent
from .letter import Letter, RegistrationCounter
from .notification import DeadlineMark, MailOutbox, Notification
from .organisation import Municipality, OrganisationProfile
from .programme import Programme, ProgrammeSection
from .programme_count import ProgrammeCount
from .remark import Remark, RemarkReply
from .revision import ImmutableRowError, Revision, RevisionSection
from .route import Decision, Route, RouteStage, RouteVersion, StageTask
from .search import SearchDocument
from .security import ApiToken, LoginAttempt, LoginThrottle, SecurityEvent
from .signing import SignerCertificate, SigningSession
from .user import User

__all__ = [
    "Absence",
    "ApiToken", "Assessment", "Base", "LoginAttempt", "LoginThrottle", "SecurityEvent", "Campaign", "CampaignParticipant", "FileBlob", "ImmutableRowError", "Letter", "Municipality",
    "OrganisationProfile", "Programme", "ProgrammeFile", "ProgrammeSection", "RegistrationCounter", "Remark",
    "RemarkReply", "Requirement", "Revision", "RevisionFile", "RevisionSection", "UTCDateTime", "User",
    "WorkflowEvent",
    "DeadlineMark", "MailOutbox", "Notification", "SignerCertificate", "SigningSession",
    "RecoveryCode", "SecondFactor", "UserSession", "SearchDocument", "SignBatch", "SignBatchItem",
    "Decision", "Route", "RouteStage", "RouteVersion", "StageTask", "ProgrammeCount",
]
