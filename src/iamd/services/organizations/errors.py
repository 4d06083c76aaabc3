"""AWS Organizations' error codes, one class per error shape of botocore's ``organizations`` model.

Organizations speaks the JSON 1.1 protocol: the code is the shape name and, the model giving no
status, every error is HTTP 400 (``ServiceException`` included: the model marks no fault, and the
SDKs read it from the code, not the status). Shapes with a ``Reason`` member
(``ConstraintViolationException``, ``InvalidInputException``, ``HandshakeConstraintViolationException``,
``AccessDeniedForDependencyException``) carry it in the JSON body beside the message, as AWS
sends it (``AwsError.extra_fields``); ``TooManyRequestsException`` carries ``Type``.
``tests/unit/services/organizations/test_errors.py`` compares every class with the model.

    SenderError
    ├── one class per shape below
    └── Reasoned: the four shapes with a ``Reason`` (``ConstraintViolationException("OU_DEPTH_LIMIT_EXCEEDED", "…")``)
"""

from __future__ import annotations

from iamd.errors import SenderError


class Reasoned(SenderError):
    """An error whose shape has a ``Reason`` enum: the first argument, sent as ``Reason``."""

    def __init__(self, reason: str, message: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason
        self.extra_fields = {"Reason": reason}


class AWSOrganizationsNotInUseException(SenderError):
    code = "AWSOrganizationsNotInUseException"
    status = 400


class AccessDeniedException(SenderError):
    code = "AccessDeniedException"
    status = 400


class AccessDeniedForDependencyException(Reasoned):
    code = "AccessDeniedForDependencyException"
    status = 400


class AccountAlreadyClosedException(SenderError):
    code = "AccountAlreadyClosedException"
    status = 400


class AccountAlreadyRegisteredException(SenderError):
    code = "AccountAlreadyRegisteredException"
    status = 400


class AccountNotFoundException(SenderError):
    code = "AccountNotFoundException"
    status = 400


class AccountNotRegisteredException(SenderError):
    code = "AccountNotRegisteredException"
    status = 400


class AccountOwnerNotVerifiedException(SenderError):
    code = "AccountOwnerNotVerifiedException"
    status = 400


class AlreadyInOrganizationException(SenderError):
    code = "AlreadyInOrganizationException"
    status = 400


class ChildNotFoundException(SenderError):
    code = "ChildNotFoundException"
    status = 400


class ConcurrentModificationException(SenderError):
    code = "ConcurrentModificationException"
    status = 400


class ConflictException(SenderError):
    code = "ConflictException"
    status = 400


class ConstraintViolationException(Reasoned):
    code = "ConstraintViolationException"
    status = 400


class CreateAccountStatusNotFoundException(SenderError):
    code = "CreateAccountStatusNotFoundException"
    status = 400


class DestinationParentNotFoundException(SenderError):
    code = "DestinationParentNotFoundException"
    status = 400


class DuplicateAccountException(SenderError):
    code = "DuplicateAccountException"
    status = 400


class DuplicateHandshakeException(SenderError):
    code = "DuplicateHandshakeException"
    status = 400


class DuplicateOrganizationalUnitException(SenderError):
    code = "DuplicateOrganizationalUnitException"
    status = 400


class DuplicatePolicyAttachmentException(SenderError):
    code = "DuplicatePolicyAttachmentException"
    status = 400


class DuplicatePolicyException(SenderError):
    code = "DuplicatePolicyException"
    status = 400


class EffectivePolicyNotFoundException(SenderError):
    code = "EffectivePolicyNotFoundException"
    status = 400


class FinalizingOrganizationException(SenderError):
    code = "FinalizingOrganizationException"
    status = 400


class HandshakeAlreadyInStateException(SenderError):
    code = "HandshakeAlreadyInStateException"
    status = 400


class HandshakeConstraintViolationException(Reasoned):
    code = "HandshakeConstraintViolationException"
    status = 400


class HandshakeNotFoundException(SenderError):
    code = "HandshakeNotFoundException"
    status = 400


class InvalidHandshakeTransitionException(SenderError):
    code = "InvalidHandshakeTransitionException"
    status = 400


class InvalidInputException(Reasoned):
    code = "InvalidInputException"
    status = 400


class InvalidResponsibilityTransferTransitionException(SenderError):
    code = "InvalidResponsibilityTransferTransitionException"
    status = 400


class MalformedPolicyDocumentException(SenderError):
    code = "MalformedPolicyDocumentException"
    status = 400


class MasterCannotLeaveOrganizationException(SenderError):
    code = "MasterCannotLeaveOrganizationException"
    status = 400


class OrganizationNotEmptyException(SenderError):
    code = "OrganizationNotEmptyException"
    status = 400


class OrganizationalUnitNotEmptyException(SenderError):
    code = "OrganizationalUnitNotEmptyException"
    status = 400


class OrganizationalUnitNotFoundException(SenderError):
    code = "OrganizationalUnitNotFoundException"
    status = 400


class ParentNotFoundException(SenderError):
    code = "ParentNotFoundException"
    status = 400


class PolicyChangesInProgressException(SenderError):
    code = "PolicyChangesInProgressException"
    status = 400


class PolicyInUseException(SenderError):
    code = "PolicyInUseException"
    status = 400


class PolicyNotAttachedException(SenderError):
    code = "PolicyNotAttachedException"
    status = 400


class PolicyNotFoundException(SenderError):
    code = "PolicyNotFoundException"
    status = 400


class PolicyTypeAlreadyEnabledException(SenderError):
    code = "PolicyTypeAlreadyEnabledException"
    status = 400


class PolicyTypeNotAvailableForOrganizationException(SenderError):
    code = "PolicyTypeNotAvailableForOrganizationException"
    status = 400


class PolicyTypeNotEnabledException(SenderError):
    code = "PolicyTypeNotEnabledException"
    status = 400


class ResourcePolicyNotFoundException(SenderError):
    code = "ResourcePolicyNotFoundException"
    status = 400


class ResponsibilityTransferAlreadyInStatusException(SenderError):
    code = "ResponsibilityTransferAlreadyInStatusException"
    status = 400


class ResponsibilityTransferNotFoundException(SenderError):
    code = "ResponsibilityTransferNotFoundException"
    status = 400


class RootNotFoundException(SenderError):
    code = "RootNotFoundException"
    status = 400


class ServiceException(SenderError):
    code = "ServiceException"
    status = 400


class SourceParentNotFoundException(SenderError):
    code = "SourceParentNotFoundException"
    status = 400


class TargetNotFoundException(SenderError):
    code = "TargetNotFoundException"
    status = 400


class TooManyRequestsException(SenderError):
    code = "TooManyRequestsException"
    status = 400


class UnsupportedAPIEndpointException(SenderError):
    code = "UnsupportedAPIEndpointException"
    status = 400


# Shape name in botocore's model -> class.
BY_SHAPE: dict[str, type[SenderError]] = {
    cls.code: cls
    for cls in (
        AWSOrganizationsNotInUseException,
        AccessDeniedException,
        AccessDeniedForDependencyException,
        AccountAlreadyClosedException,
        AccountAlreadyRegisteredException,
        AccountNotFoundException,
        AccountNotRegisteredException,
        AccountOwnerNotVerifiedException,
        AlreadyInOrganizationException,
        ChildNotFoundException,
        ConcurrentModificationException,
        ConflictException,
        ConstraintViolationException,
        CreateAccountStatusNotFoundException,
        DestinationParentNotFoundException,
        DuplicateAccountException,
        DuplicateHandshakeException,
        DuplicateOrganizationalUnitException,
        DuplicatePolicyAttachmentException,
        DuplicatePolicyException,
        EffectivePolicyNotFoundException,
        FinalizingOrganizationException,
        HandshakeAlreadyInStateException,
        HandshakeConstraintViolationException,
        HandshakeNotFoundException,
        InvalidHandshakeTransitionException,
        InvalidInputException,
        InvalidResponsibilityTransferTransitionException,
        MalformedPolicyDocumentException,
        MasterCannotLeaveOrganizationException,
        OrganizationNotEmptyException,
        OrganizationalUnitNotEmptyException,
        OrganizationalUnitNotFoundException,
        ParentNotFoundException,
        PolicyChangesInProgressException,
        PolicyInUseException,
        PolicyNotAttachedException,
        PolicyNotFoundException,
        PolicyTypeAlreadyEnabledException,
        PolicyTypeNotAvailableForOrganizationException,
        PolicyTypeNotEnabledException,
        ResourcePolicyNotFoundException,
        ResponsibilityTransferAlreadyInStatusException,
        ResponsibilityTransferNotFoundException,
        RootNotFoundException,
        ServiceException,
        SourceParentNotFoundException,
        TargetNotFoundException,
        TooManyRequestsException,
        UnsupportedAPIEndpointException,
    )
}
