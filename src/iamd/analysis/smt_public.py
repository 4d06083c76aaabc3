"""What "public" means for ``CheckNoPublicAccess``: access for a caller the policy does not name.

A resource policy grants public access when it allows a request from an anonymous caller, or from
an IAM identity of an account the policy names nowhere, whose identifying context says nothing
the policy could have named either. AWS's examples of conditions that keep a policy from being
public — ``aws:PrincipalOrgID``, ``aws:SourceAccount``, ``aws:SourceArn``, ``aws:SourceVpc(e)``,
``aws:SourceIp``, ``aws:userid`` … — hold for such a caller only if they hold for *any* value:
each of those keys is absent or a value no policy string names. Only the resource type's own
actions count (``s3:…`` for ``AWS::S3::Bucket``, ``sts:…`` for a role trust policy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import z3

from iamd.policy import PrincipalType

if TYPE_CHECKING:
    from .smt_problem import Problem

# botocore's AccessCheckResourceType → the service prefixes of its actions.
PUBLIC_SERVICES: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::Table": ("dynamodb",),
    "AWS::DynamoDB::Stream": ("dynamodb",),
    "AWS::EFS::FileSystem": ("elasticfilesystem",),
    "AWS::OpenSearchService::Domain": ("es",),
    "AWS::Kinesis::Stream": ("kinesis",),
    "AWS::Kinesis::StreamConsumer": ("kinesis",),
    "AWS::KMS::Key": ("kms",),
    "AWS::Lambda::Function": ("lambda",),
    "AWS::S3::Bucket": ("s3",),
    "AWS::S3::AccessPoint": ("s3",),
    "AWS::S3Express::DirectoryBucket": ("s3express",),
    "AWS::S3::Glacier": ("glacier",),
    "AWS::S3Outposts::Bucket": ("s3-outposts",),
    "AWS::S3Outposts::AccessPoint": ("s3-outposts",),
    "AWS::SecretsManager::Secret": ("secretsmanager",),
    "AWS::SNS::Topic": ("sns",),
    "AWS::SQS::Queue": ("sqs",),
    "AWS::IAM::AssumeRolePolicyDocument": ("sts",),
    "AWS::S3Tables::TableBucket": ("s3tables",),
    "AWS::ApiGateway::RestApi": ("execute-api",),
    "AWS::CodeArtifact::Domain": ("codeartifact",),
    "AWS::Backup::BackupVault": ("backup",),
    "AWS::CloudTrail::Dashboard": ("cloudtrail",),
    "AWS::CloudTrail::EventDataStore": ("cloudtrail",),
    "AWS::S3Tables::Table": ("s3tables",),
    "AWS::S3Express::AccessPoint": ("s3express",),
}

# Keys that identify the caller or where the call comes from (lower-cased).
IDENTIFYING = frozenset(
    {
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:vpcsourceip",
        "aws:userid",
        "aws:username",
        "aws:principalservicename",
        "aws:principalservicenameslist",
        "aws:calledvia",
        "kms:calleraccount",
        "lambda:functionurlauthtype",
    }
)
UNNAMED = "iamd-unnamed-caller"


def unnamed_caller(problem: Problem) -> z3.BoolRef:
    """The caller is anonymous or of ``problem.outsider``'s account; identifying keys name nothing."""
    ctx = problem.ctx
    p = problem.request.principal
    iam = z3.Or(*[p.is_(t) for t in (PrincipalType.ROOT, PrincipalType.USER, PrincipalType.ROLE_SESSION)])
    parts = [z3.Or(p.is_(PrincipalType.ANONYMOUS), z3.And(iam, p.account == z3.StringVal(problem.outsider, ctx)))]
    for lkey, kv in problem.request.keys.items():
        if lkey not in IDENTIFYING or lkey in ("aws:principalaccount", "aws:principalarn"):
            continue
        if kv.kind == "string":
            fresh = z3.And(*[z3.Implies(u, v == z3.StringVal(UNNAMED, ctx)) for u, v in zip(kv.used, kv.values, strict=True)])
            parts.append(z3.Or(z3.Not(kv.in_ctx), fresh))
        else:
            parts.append(z3.Not(kv.in_ctx))
    return z3.And(*parts)
