"""MetaStudio's training-job states: plain data, so the planner can use them without the client."""

from __future__ import annotations


class JobState:
    """The documented job states; values not listed here are kept as they came."""

    CREATING = "CREATING"
    SYSTEM_AUDITING = "SYSTEM_AUDITING"
    AUDITING = "AUDITING"
    WAITING_SPLIT = "WAITING_SPLIT"
    SPLITTING = "SPLITTING"
    SPLIT_FAILED = "SPLIT_FAILED"
    ANNOTATING = "ANNOTATING"
    WAITING = "WAITING"
    PROCESSING = "PROCESSING"
    RESULT_REVIEW = "RESULT_REVIEW"
    AUDIT_FAILED = "AUDIT_FAILED"
    USER_RESULT_REVIEW = "USER_RESULT_REVIEW"
    USER_REVIEW_REJECT = "USER_REVIEW_REJECT"
    UPLOADING = "UPLOADING"
    FAILED = "FAILED"
    SUCCEED = "SUCCEED"

    KNOWN = frozenset(
        value for name, value in vars().items() if name.isupper() and isinstance(value, str)
    )
    TERMINAL = frozenset({FAILED, SUCCEED, SPLIT_FAILED})
    NEEDS_USER = frozenset({AUDIT_FAILED, USER_REVIEW_REJECT})
