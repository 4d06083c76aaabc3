"""IAM's checks of ``Resource`` / ``NotResource`` strings, with AWS's sentences.

IAM does not parse a resource as a full ARN: it splits on colons and checks, in order, that
there is a colon at all, that the second field is a known partition (or ``*``), that a vendor
follows, that ``iam`` (and most of ``s3``) resources carry no region, and that an ``iam``
resource names one of IAM's resource types. Anything else is the service's business, so
``arn:aws:anything`` and a percent-encoded ``arn:aws:test%3Aencoded%3Astring`` are accepted.
The first field is never compared with ``arn`` (``aws:s3:::b`` fails on its *partition*
``s3``). These rules follow the documents moto's IAM tests check against AWS, and "IAM JSON
policy elements: Resource".

A second, older parser ("legacy parsing") also runs over every resource: a resource with fewer
than five colons must not contain ``::``, and the third field (the vendor) must not be empty.
"""

from __future__ import annotations

PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
IAM_TYPES = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
# Resource ids accepted whole: any, and the root user (the SAR's ``root-user`` resource type,
# ``arn:${Partition}:iam::${Account}:root``, of sts:AssumeRoot; AWS's own root-task policies and
# its AssumeRoot examples name ``arn:aws:iam::*:root``), which IAM's message does not list.
IAM_WHOLE_IDS = frozenset({"*", "root"})
# Resource types AWS added after the message above was recorded (the SAR's ``delegation-request``
# of the temporary-delegation actions): accepted, not named in the message.
IAM_LATER_TYPES = ("delegation-request/",)
# S3's regional resource types; buckets and objects are global and must not name a region.
S3_REGIONAL = (
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "access-grants/",
    "async-request/",
)

RESOURCE_FORMAT = 'Resource {resource} must be in ARN format or "*".'
PARTITION_INVALID = 'Partition "{partition}" is not valid for resource "{resource}".'
VENDOR_QUALIFIED = "Resource vendor must be fully qualified and cannot contain regexes."
IAM_REGION = "IAM resource {resource} cannot contain region information."
S3_REGION = "Resource {resource} can not contain region information."
IAM_PATH = 'IAM resource path must either be "*" or start with ' + ", ".join(IAM_TYPES) + "."


def _completed(partition: str, rest: str) -> str:
    """The resource as IAM quotes it in the partition error: padded to six fields with ``*``."""
    fields = rest.split(":")
    if fields == [""]:
        fields = ["*"]
    head = fields[:3] + ["*"] * (3 - len(fields[:3]))
    tail = ":".join(fields[3:]) if len(fields) > 3 else "*"
    return ":".join(["arn", partition, *head, tail])


def resource_error(resource: str) -> str | None:
    """AWS's sentence for a resource IAM refuses, or None."""
    if resource == "*":
        return None
    if ":" not in resource:
        return RESOURCE_FORMAT.format(resource=resource)
    partition, colon, rest = resource.split(":", 1)[1].partition(":")
    if partition != "*" and partition not in PARTITIONS:
        return PARTITION_INVALID.format(partition=partition, resource=_completed(partition, rest))
    if not colon:
        return VENDOR_QUALIFIED
    vendor, _, after_vendor = rest.partition(":")
    region, _, after_region = after_vendor.partition(":")
    resource_id = after_region.partition(":")[2]
    if after_vendor and not after_vendor.startswith(":"):
        if vendor == "iam":
            return IAM_REGION.format(resource=resource)
        if vendor == "s3" and not resource_id.startswith(S3_REGIONAL):
            return S3_REGION.format(resource=resource)
    if vendor == "iam" and resource_id not in IAM_WHOLE_IDS and not resource_id.startswith(IAM_TYPES + IAM_LATER_TYPES):
        return IAM_PATH
    return None


def legacy_resource_ok(resource: str) -> bool:
    """The older parser's two rules (see the module docstring)."""
    if resource == "*":
        return True
    if resource.count(":") < 5 and "::" in resource:
        return False
    fields = resource.split(":")
    return len(fields) < 3 or fields[2] != ""
