"""AWS's catalogue of ValidatePolicy checks: issue code → finding type, anchor, wording.

Taken from the IAM User Guide's "Access Analyzer policy check reference"
(``access-analyzer-reference-policy-checks.md``): the issue code is the check's title in upper
snake case, the finding type its heading (Error, Security Warning, General Warning, Suggestion),
the wording the ``findingDetails`` AWS documents for programmatic calls, with ``{name}``
placeholders. Every documented check is listed, implemented or not; docs/access-analyzer.md says
which ones iamd decides.
"""

from __future__ import annotations

LEARN_MORE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-"

# code: (findingType, anchor after the common prefix, findingDetails template)
CHECKS: dict[str, tuple[str, str, str]] = {
    "ARN_ACCOUNT_NOT_ALLOWED": (
        "ERROR",
        "error-arn-account-not-allowed",
        "The service {service} does not support specifying an account ID in the resource ARN.",
    ),
    "ARN_REGION_NOT_ALLOWED": (
        "ERROR",
        "error-arn-region-not-allowed",
        "The service {service} does not support specifying a Region in the resource ARN.",
    ),
    "DATA_TYPE_MISMATCH": (
        "ERROR",
        "error-data-type-mismatch",
        "The text does not match the expected JSON data type {data_type}.",
    ),
    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE": (
        "ERROR",
        "error-duplicate-keys-with-different-case",
        "The condition key {key} appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.",
    ),
    "INVALID_ACTION": (
        "ERROR",
        "error-invalid-action",
        "The action {action} does not exist.{did_you_mean}",
    ),
    "INVALID_ARN_ACCOUNT": (
        "ERROR",
        "error-invalid-arn-account",
        "The resource ARN account ID {account} is not valid. Provide a 12-digit account ID.",
    ),
    "INVALID_ARN_PREFIX": (
        "ERROR",
        "error-invalid-arn-prefix",
        "Add the required prefix (arn) to the resource ARN.",
    ),
    "INVALID_ARN_REGION": (
        "ERROR",
        "error-invalid-arn-region",
        "The Region {region} is not valid for this resource. Update the resource ARN to include a supported Region.",
    ),
    "INVALID_ARN_RESOURCE": (
        "ERROR",
        "error-invalid-arn-resource",
        "Resource ARN does not match the expected ARN format. Update the resource portion of the ARN.",
    ),
    "INVALID_ARN_SERVICE_CASE": (
        "ERROR",
        "error-invalid-arn-service-case",
        "Update the service name {service} in the resource ARN to use all lowercase letters.",
    ),
    "INVALID_CONDITION_DATA_TYPE": (
        "ERROR",
        "error-invalid-condition-data-type",
        "The condition value data types do not match. Use condition values of the same JSON data type.",
    ),
    "INVALID_CONDITION_KEY_FORMAT": (
        "ERROR",
        "error-invalid-condition-key-format",
        "The condition key format is not valid. Use the format service:keyname.",
    ),
    "INVALID_CONDITION_MULTIPLE_BOOLEAN": (
        "ERROR",
        "error-invalid-condition-multiple-boolean",
        "The condition key does not support multiple Boolean values. Use a single Boolean value.",
    ),
    "INVALID_CONDITION_OPERATOR": (
        "ERROR",
        "error-invalid-condition-operator",
        "The condition operator {operator} is not valid. Use a valid condition operator.",
    ),
    "INVALID_EFFECT": (
        "ERROR",
        "error-invalid-effect",
        "The effect {effect} is not valid. Use Allow or Deny.",
    ),
    "INVALID_GLOBAL_CONDITION_KEY": (
        "ERROR",
        "error-invalid-global-condition-key",
        "The condition key {key} does not exist. Use a valid condition key.",
    ),
    "INVALID_PARTITION": (
        "ERROR",
        "error-invalid-partition",
        "The resource ARN for the service {service} does not support the partition {partition}. Use the supported values: {partitions}",
    ),
    "INVALID_POLICY_ELEMENT": (
        "ERROR",
        "error-invalid-policy-element",
        "The policy element {element} is not valid.",
    ),
    "INVALID_PRINCIPAL_FORMAT": (
        "ERROR",
        "error-invalid-principal-format",
        "The Principal element contents are not valid. Specify a key-value pair in the Principal element.",
    ),
    "INVALID_PRINCIPAL_KEY": (
        "ERROR",
        "error-invalid-principal-key",
        "The principal key {principal_key} is not valid.",
    ),
    "INVALID_REGION": (
        "ERROR",
        "error-invalid-region",
        "The Region {region} is not valid. Update the condition value to a suported Region.",
    ),
    "INVALID_SERVICE": (
        "ERROR",
        "error-invalid-service",
        "The service {service} does not exist. Use a valid service name.",
    ),
    "INVALID_SERVICE_CONDITION_KEY": (
        "ERROR",
        "error-invalid-service-condition-key",
        "The condition key {key} does not exist in the service {service}. Use a valid condition key.",
    ),
    "INVALID_SERVICE_IN_ACTION": (
        "ERROR",
        "error-invalid-service-in-action",
        "The service {service} specified in the action does not exist.{did_you_mean}",
    ),
    "INVALID_VARIABLE_FOR_OPERATOR": (
        "ERROR",
        "error-invalid-variable-for-operator",
        "Policy variables can only be used with String and ARN operators.",
    ),
    "INVALID_VERSION": (
        "ERROR",
        "error-invalid-version",
        "The version {version} is not valid. Use one of the following versions: {versions}",
    ),
    "JSON_SYNTAX_ERROR": (
        "ERROR",
        "error-json-syntax-error",
        "Fix the JSON syntax error at index {index} line {line} column {column}.",
    ),
    "MISSING_ACTION": (
        "ERROR",
        "error-missing-action",
        "Add an Action or NotAction element to the policy statement.",
    ),
    "MISSING_ARN_FIELD": (
        "ERROR",
        "error-missing-arn-field",
        "Resource ARNs must include at least {fields} fields in the following structure: arn:partition:service:region:account:resource",
    ),
    "MISSING_ARN_REGION": (
        "ERROR",
        "error-missing-arn-region",
        "Add a Region to the {service} resource ARN.",
    ),
    "MISSING_EFFECT": (
        "ERROR",
        "error-missing-effect",
        "Add an Effect element to the policy statement with a value of Allow or Deny.",
    ),
    "MISSING_PRINCIPAL": (
        "ERROR",
        "error-missing-principal",
        "Add a Principal element to the policy statement.",
    ),
    "MISSING_QUALIFIER": (
        "ERROR",
        "error-missing-qualifier",
        "The request context key {key} has multiple values. Use the ForAllValues or ForAnyValue condition key qualifiers in your policy.",
    ),
    "MISSING_RESOURCE": (
        "ERROR",
        "error-missing-resource",
        "Add a Resource or NotResource element to the policy statement.",
    ),
    "MISSING_STATEMENT": (
        "ERROR",
        "error-missing-statement",
        "Add a statement to the policy",
    ),
    "NULL_WITH_IF_EXISTS": (
        "ERROR",
        "error-null-with-if-exists",
        "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix.",
    ),
    "SCP_SYNTAX_ERROR_ACTION_WILDCARD": (
        "ERROR",
        "error-scp-syntax-error-action-wildcard",
        "SCP actions can include wildcards (*) only at the end of a string. Update {action}.",
    ),
    "SCP_SYNTAX_ERROR_ALLOW_CONDITION": (
        "ERROR",
        "error-scp-syntax-error-allow-condition",
        "SCPs do not support the Condition element with effect Allow. Update the element Condition or the effect.",
    ),
    "SCP_SYNTAX_ERROR_ALLOW_NOTACTION": (
        "ERROR",
        "error-scp-syntax-error-allow-notaction",
        "SCPs do not support NotAction with effect Allow. Update the element NotAction or the effect.",
    ),
    "SCP_SYNTAX_ERROR_ALLOW_RESOURCE": (
        "ERROR",
        "error-scp-syntax-error-allow-resource",
        "SCPs do not support Resource with effect Allow. Update the element Resource or the effect.",
    ),
    "SCP_SYNTAX_ERROR_NOTRESOURCE": (
        "ERROR",
        "error-scp-syntax-error-notresource",
        "SCPs do not support the NotResource element. Update the policy to use Resource instead.",
    ),
    "SCP_SYNTAX_ERROR_PRINCIPAL": (
        "ERROR",
        "error-scp-syntax-error-principal",
        "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.",
    ),
    "UNIQUE_SIDS_REQUIRED": (
        "ERROR",
        "error-unique-sids-required",
        "Duplicate statement IDs are not supported for this policy type. Update the Sid value.",
    ),
    "UNSUPPORTED_ACTION_IN_POLICY": (
        "ERROR",
        "error-unsupported-action-in-policy",
        "The action {action} is not supported for the resource-based policy attached to the resource type {resourceType}.",
    ),
    "UNSUPPORTED_ELEMENT_COMBINATION": (
        "ERROR",
        "error-unsupported-element-combination",
        "The policy elements {element1} and {element2} can not be used in the same statement. Remove one of these elements.",
    ),
    "UNSUPPORTED_GLOBAL_CONDITION_KEY": (
        "ERROR",
        "error-unsupported-global-condition-key",
        "The condition key aws:ARN is not supported. Use aws:PrincipalArn or aws:SourceArn instead.",
    ),
    "UNSUPPORTED_PRINCIPAL": (
        "ERROR",
        "error-unsupported-principal",
        "The policy type {policy_type} does not support the Principal element. Remove the Principal element.",
    ),
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY": (
        "ERROR",
        "error-unsupported-resource-arn-in-policy",
        "The resource ARN is not supported for the resource-based policy attached to the resource type {resourceType}.",
    ),
    "UNSUPPORTED_SID": (
        "ERROR",
        "error-unsupported-sid",
        "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]",
    ),
    "UNSUPPORTED_WILDCARD_IN_PRINCIPAL": (
        "ERROR",
        "error-unsupported-wildcard-in-principal",
        "Wildcards (*, ?) are not supported with the principal key {principal_key}. Replace the wildcard with a valid principal value.",
    ),
    "MISSING_BRACE_IN_VARIABLE": (
        "ERROR",
        "error-missing-brace-in-variable",
        "The policy variable is missing a closing curly brace. Add }} after the variable text.",
    ),
    "MISSING_QUOTE_IN_VARIABLE": (
        "ERROR",
        "error-missing-quote-in-variable",
        "The policy variable default value must begin and end with a single quote. Add the missing quote.",
    ),
    "UNSUPPORTED_SPACE_IN_VARIABLE": (
        "ERROR",
        "error-unsupported-space-in-variable",
        "A space is not supported within the policy variable text. Remove the space.",
    ),
    "EMPTY_VARIABLE": (
        "ERROR",
        "error-empty-variable",
        "Empty policy variable. Remove the ${{ }} variable structure or provide a variable within the structure.",
    ),
    "VARIABLE_UNSUPPORTED_IN_ELEMENT": (
        "ERROR",
        "error-variable-unsupported-in-element",
        "Policy variables are supported in the Resource and Condition elements. Remove the policy variable {variable} from this element.",
    ),
    "VARIABLE_UNSUPPORTED_IN_VERSION": (
        "ERROR",
        "error-variable-unsupported-in-version",
        "To include variables in your policy, use the policy version 2012-10-17 or later.",
    ),
    "PRIVATE_IP_ADDRESS": (
        "ERROR",
        "error-private-ip-address",
        "aws:SourceIp works only for public IP address ranges. The values for condition key aws:SourceIp include only private IP addresses and will not have the desired effect. Update the value to include only public IP addresses.",
    ),
    "PRIVATE_NOTIPADDRESS": (
        "ERROR",
        "error-private-not-ip-address",
        "The values for condition key aws:SourceIp include only private IP addresses and has no effect. aws:SourceIp works only for public IP address ranges. Update the value to include only public IP addresses.",
    ),
    "POLICY_SIZE_EXCEEDS_SCP_QUOTA": (
        "ERROR",
        "error-policy-size-exceeds-scp-quota",
        "The {policySize} characters in the service control policy (SCP) exceed the {policySizeQuota} character maximum for SCPs. We recommend that you use multiple granular policies.",
    ),
    "INVALID_SERVICE_PRINCIPAL_FORMAT": (
        "ERROR",
        "error-invalid-service-principal-format",
        "The service principal does not match the expected format. Use the format {expectedFormat}.",
    ),
    "MISSING_TAG_KEY_IN_CONDITION": (
        "ERROR",
        "error-missing-tag-key-in-condition",
        "The condition key {conditionKeyName} must include a tag key to control access based on tags. Use the format {conditionKeyName}tag-key and specify a key name for tag-key.",
    ),
    "INVALID_VPC_FORMAT": (
        "ERROR",
        "error-invalid-vpc-format",
        "The VPC identifier in the condition key value is not valid. Use the prefix 'vpc-' followed by 8 or 17 alphanumeric characters.",
    ),
    "INVALID_VPCE_FORMAT": (
        "ERROR",
        "error-invalid-vpce-format",
        "The VPCE identifier in the condition key value is not valid.  Use the prefix 'vpce-' followed by 8 or 17 alphanumeric characters.",
    ),
    "FEDERATED_PRINCIPAL_NOT_SUPPORTED": (
        "ERROR",
        "error-federated-principal-not-supported",
        "The policy type does not support a federated identity provider in the principal element. Use a supported principal.",
    ),
    "UNSUPPORTED_ACTION_FOR_CONDITION_KEY": (
        "ERROR",
        "error-unsupported-action-for-condition-key",
        "The following actions: {actions} are not supported by the condition key {key}. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key.",
    ),
    "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL": (
        "ERROR",
        "error-unsupported-condition-key-for-service-principal",
        "The following condition keys are not supported when used with the service principal: {conditionKeys}.",
    ),
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL": (
        "ERROR",
        "error-role-trust-policy-syntax-error-notprincipal",
        "Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead.",
    ),
    "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL": (
        "ERROR",
        "error-role-trust-policy-unsupported-wildcard-in-principal",
        '"Principal:" "*" is not supported in the principal element of a role trust policy. Replace the wildcard with a valid principal value.',
    ),
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE": (
        "ERROR",
        "error-role-trust-policy-syntax-error-resource",
        "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element.",
    ),
    "MISSING_ACTION_FOR_CONDITION_KEY": (
        "ERROR",
        "error-missing-action-for-condition-key",
        "The {actionName} action must be in the action block to allow setting values for the condition key {keyName}. Add {actionName} to the action block.",
    ),
    "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY": (
        "ERROR",
        "error-invalid-federated-principal-syntax-in-role-trust-policy",
        "The principal value specifies a federated principal that does not match the expected format. Update the federated principal to a domain name or a SAML metadata ARN.",
    ),
    "MISMATCHED_ACTION_FOR_PRINCIPAL": (
        "ERROR",
        "error-mismatched-action-for-principal",
        "The {actionName} action is invalid with the following principal(s): {principalNames}. Use a SAML provider principal with the sts:AssumeRoleWithSAML action or use an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use either of the two options.",
    ),
    "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY": (
        "ERROR",
        "error-missing-action-for-roles-anywhere-trust-policy",
        "The rolesanywhere.amazonaws.com service principal requires the sts:AssumeRole, sts:SetSourceIdentity, and sts:TagSession permissions to assume a role. Add the missing permissions to the policy.",
    ),
    "CREATE_SLR_WITH_NOTRESOURCE": (
        "WARNING",
        "general-warning-create-slr-with-not-resource",
        "Using the iam:CreateServiceLinkedRole action with NotResource can allow creation of unintended service-linked roles for multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOTRESOURCE": (
        "WARNING",
        "general-warning-create-slr-with-star-in-action-and-not-resource",
        "Using an action with a wildcard(*) and NotResource can allow creation of unintended service-linked roles because it can allow iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    "CREATE_SLR_WITH_NOTACTION_AND_NOTRESOURCE": (
        "WARNING",
        "general-warning-create-slr-with-not-action-and-not-resource",
        "Using NotAction with NotResource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    "CREATE_SLR_WITH_STAR_IN_RESOURCE": (
        "WARNING",
        "general-warning-create-slr-with-star-in-resource",
        "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead.",
    ),
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE": (
        "WARNING",
        "general-warning-create-slr-with-star-in-action-and-resource",
        "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
    ),
    "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOTACTION": (
        "WARNING",
        "general-warning-create-slr-with-star-in-resource-and-not-action",
        "Using a resource with wildcards (*) and NotAction can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead.",
    ),
    "DEPRECATED_GLOBAL_CONDITION_KEY": (
        "WARNING",
        "general-warning-deprecated-global-condition-key",
        "We recommend that you update aws:ARN to use the newer condition key aws:PrincipalArn.",
    ),
    "INVALID_DATE_VALUE": (
        "WARNING",
        "general-warning-invalid-date-value",
        "The date {date} might not resolve as expected. We recommend that you use the YYYY-MM-DD format.",
    ),
    "INVALID_ROLE_REFERENCE": (
        "WARNING",
        "general-warning-invalid-role-reference",
        "The Principal element includes the IAM role ID {roleid}. We recommend that you use a role ARN instead.",
    ),
    "INVALID_USER_REFERENCE": (
        "WARNING",
        "general-warning-invalid-user-reference",
        "The Principal element includes the IAM user ID {userid}. We recommend that you use a user ARN instead.",
    ),
    "MISSING_VERSION": (
        "WARNING",
        "general-warning-missing-version",
        "We recommend that you specify the Version element to help you with debugging permission issues.",
    ),
    "UNIQUE_SIDS_RECOMMENDED": (
        "WARNING",
        "general-warning-unique-sids-recommended",
        "We recommend that you use statement IDs that are unique to your policy. Update the Sid value.",
    ),
    "WILDCARD_WITHOUT_LIKE_OPERATOR": (
        "WARNING",
        "general-warning-wildcard-without-like-operator",
        "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like.",
    ),
    "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA": (
        "WARNING",
        "general-warning-policy-size-exceeds-identity-policy-quota",
        "The {policySize} characters in the identity policy, excluding whitespace, exceed the {policySizeQuota} character maximum for inline and managed policies. We recommend that you use multiple granular policies.",
    ),
    "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA": (
        "WARNING",
        "general-warning-policy-size-exceeds-resource-policy-quota",
        "The {policySize} characters in the resource policy exceed the {policySizeQuota} character maximum for resource policies. We recommend that you use multiple granular policies.",
    ),
    "TYPE_MISMATCH": (
        "WARNING",
        "general-warning-type-mismatch",
        "Use the operator type {allowed} instead of operator {operator} for the condition key {key}.",
    ),
    "TYPE_MISMATCH_BOOLEAN": (
        "WARNING",
        "general-warning-type-mismatch-boolean",
        "Add a valid Boolean value (true or false) for the condition operator {operator}.",
    ),
    "TYPE_MISMATCH_DATE": (
        "WARNING",
        "general-warning-type-mismatch-date",
        "The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format.",
    ),
    "TYPE_MISMATCH_IP_RANGE": (
        "WARNING",
        "general-warning-type-mismatch-ip-range",
        "The condition operator {operator} is used with an invalid IP range value. Specify the IP range in standard CIDR format.",
    ),
    "TYPE_MISMATCH_NUMBER": (
        "WARNING",
        "general-warning-type-mismatch-number",
        "Add a valid numeric value for the condition operator {operator}.",
    ),
    "TYPE_MISMATCH_STRING": (
        "WARNING",
        "general-warning-type-mismatch-string",
        "Add a valid base64-encoded string value for the condition operator {operator}.",
    ),
    "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED": (
        "WARNING",
        "general-warning-specific-github-repo-and-branch-recommended",
        "Using a wildcard (*) in token.actions.githubusercontent.com:sub can allow requests from more sources than you intended. Specify the value of token.actions.githubusercontent.com:sub with the repository and branch name.",
    ),
    "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA": (
        "WARNING",
        "general-warning-policy-size-exceeds-role-trust-policy-quota",
        "The characters in the role trust policy, excluding whitespace, exceed the character maximum. We recommend that you request a role trust policy length quota increase using Service Quotas and AWS Support Center. If the quotas have already been increased, then you can ignore this warning.",
    ),
    "ALLOW_WITH_NOTPRINCIPAL": (
        "SECURITY_WARNING",
        "security-warning-allow-with-not-principal",
        "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead.",
    ),
    "FORALLVALUES_WITH_SINGLE_VALUED_KEY": (
        "SECURITY_WARNING",
        "security-warning-forallvalues-with-single-valued-key",
        "Using ForAllValues qualifier with the single-valued condition key {key} can be overly permissive. We recommend that you remove ForAllValues:.",
    ),
    "PASS_ROLE_WITH_NOTRESOURCE": (
        "SECURITY_WARNING",
        "security-warning-pass-role-with-not-resource",
        "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE": (
        "SECURITY_WARNING",
        "security-warning-pass-role-with-star-in-action-and-not-resource",
        "Using an action with a wildcard (*) and NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead.",
    ),
    "PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE": (
        "SECURITY_WARNING",
        "security-warning-pass-role-with-not-action-and-not-resource",
        "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead.",
    ),
    "PASS_ROLE_WITH_STAR_IN_RESOURCE": (
        "SECURITY_WARNING",
        "security-warning-pass-role-with-star-in-resource",
        "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
    ),
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE": (
        "SECURITY_WARNING",
        "security-warning-pass-role-with-star-in-action-and-resource",
        "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
    ),
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION": (
        "SECURITY_WARNING",
        "security-warning-pass-role-with-star-in-resource-and-not-action",
        "Using a resource with wildcards (*) and NotAction can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.",
    ),
    "MISSING_PAIRED_CONDITION_KEYS": (
        "SECURITY_WARNING",
        "security-warning-missing-paired-condition-keys",
        "Using the condition key {conditionKeyName} can be overly permissive without also using the following condition keys: {recommendedKeys}. Condition keys like this one are more secure when paired with a related key. We recommend that you add the related condition keys to the same condition block.",
    ),
    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE": (
        "SECURITY_WARNING",
        "security-warning-deny-with-unsupported-tag-condition-key-for-service",
        "Using the effect Deny with the tag condition key {conditionKeyName} and actions for services with the following prefixes can be overly permissive: {serviceNames}. Actions for the listed services are not denied by this statement. We recommend that you move these actions to a different statement without this condition key.",
    ),
    "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE": (
        "SECURITY_WARNING",
        "security-warning-deny-notaction-with-unsupported-tag-condition-key-for-service",
        "Using the effect Deny with NotAction and the tag condition key {conditionKeyName} can be overly permissive because some service actions are not denied by this statement. This is because the condition key doesn't apply to some service actions. We recommend that you use Action instead of NotAction.",
    ),
    "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL": (
        "SECURITY_WARNING",
        "security-warning-restrict-access-to-service-principal",
        "Granting access to a service principal without specifying a source is overly permissive. Use aws:SourceArn or aws:SourceAccount condition key and scope access to a specific source to grant fine-grained access.",
    ),
    "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL": (
        "SECURITY_WARNING",
        "security-warning-missing-condition-key-for-oidc-principal",
        "Using an Open ID Connect principal without a condition can be overly permissive. Add condition keys with a prefix that matches your federated OIDC principals to ensure that only the intended identity provider assumes the role.",
    ),
    "MISSING_GITHUB_REPO_CONDITION_KEY": (
        "SECURITY_WARNING",
        "security-warning-missing-github-repo-condition-key",
        "Granting a federated GitHub principal permissions without a condition key can allow more sources to assume the role than you intended. Add the token.actions.githubusercontent.com:sub condition key and specify the branch and repository name in the value.",
    ),
    "EMPTY_ARRAY_ACTION": (
        "SUGGESTION",
        "suggestion-empty-array-action",
        "This statement includes no actions and does not affect the policy. Specify actions.",
    ),
    "EMPTY_ARRAY_CONDITION": (
        "SUGGESTION",
        "suggestion-empty-array-condition",
        "There are no values for the condition key {key} and it does not affect the policy. Specify conditions.",
    ),
    "EMPTY_ARRAY_CONDITION_FORALLVALUES": (
        "SUGGESTION",
        "suggestion-empty-array-condition-forallvalues",
        "The ForAllValues prefix with an empty condition key matches only if the key {key} is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.",
    ),
    "EMPTY_ARRAY_CONDITION_FORANYVALUE": (
        "SUGGESTION",
        "suggestion-empty-array-condition-foranyvalue",
        "The ForAnyValue prefix with an empty condition key {key} never matches the request context and it does not affect the policy. Specify conditions.",
    ),
    "EMPTY_ARRAY_CONDITION_IFEXISTS": (
        "SUGGESTION",
        "suggestion-empty-array-condition-ifexists",
        "The IfExists suffix with an empty condition key matches only if the key {key} is missing from the request context. To determine if the request context is empty, we recommend that you use the Null condition operator with the value of true instead.",
    ),
    "EMPTY_ARRAY_PRINCIPAL": (
        "SUGGESTION",
        "suggestion-empty-array-principal",
        "This statement includes no principals and does not affect the policy. Specify principals.",
    ),
    "EMPTY_ARRAY_RESOURCE": (
        "SUGGESTION",
        "suggestion-empty-array-resource",
        "This statement includes no resources and does not affect the policy. Specify resources.",
    ),
    "EMPTY_OBJECT_CONDITION": (
        "SUGGESTION",
        "suggestion-empty-object-condition",
        "This condition block is empty and it does not affect the policy. Specify conditions.",
    ),
    "EMPTY_OBJECT_PRINCIPAL": (
        "SUGGESTION",
        "suggestion-empty-object-principal",
        "This statement includes no principals and does not affect the policy. Specify principals.",
    ),
    "EMPTY_SID_VALUE": (
        "SUGGESTION",
        "suggestion-empty-sid-value",
        "Add a value to the empty string in the Sid element.",
    ),
    "IMPROVE_IP_RANGE": (
        "SUGGESTION",
        "suggestion-improve-ip-range",
        "The non-zero bits in the IP address after the masked bits are ignored. Replace address with {addr}.",
    ),
    "NULL_WITH_QUALIFIER": (
        "SUGGESTION",
        "suggestion-null-with-qualifier",
        "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively.",
    ),
    "PRIVATE_IP_ADDRESS_SUBSET": (
        "SUGGESTION",
        "suggestion-private-ip-address-subset",
        "The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses will not have the desired effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.",
    ),
    "PRIVATE_NOTIPADDRESS_SUBSET": (
        "SUGGESTION",
        "suggestion-private-not-ip-address-subset",
        "The values for condition key aws:SourceIp include a mix of private and public IP addresses. The private addresses have no effect. aws:SourceIp works only for public IP address ranges. To define permissions for private IP ranges, use aws:VpcSourceIp.",
    ),
    "REDUNDANT_ACTION": (
        "SUGGESTION",
        "suggestion-redundant-action",
        "The {redundantActionCount} action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: {redundantAction}.",
    ),
    "REDUNDANT_CONDITION_VALUE_NUM": (
        "SUGGESTION",
        "suggestion-redundant-condition-value-num",
        "Multiple values in {operator} are redundant. Replace with the {greatest_least} single value for {key}.",
    ),
    "REDUNDANT_RESOURCE": (
        "SUGGESTION",
        "suggestion-redundant-resource",
        "The {redundantResourceCount} resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)",
    ),
    "REDUNDANT_STATEMENT": (
        "SUGGESTION",
        "suggestion-redundant-statement",
        "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.",
    ),
    "WILDCARD_IN_SERVICE_NAME": (
        "SUGGESTION",
        "suggestion-wildcard-in-service-name",
        "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names.",
    ),
    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE": (
        "SUGGESTION",
        "suggestion-allow-with-unsupported-tag-condition-key-for-service",
        "Using the effect Allow with the tag condition key {conditionKeyName} and actions for services with the following prefixes does not affect the policy: {serviceNames}. Actions for the listed service are not allowed by this statement. We recommend that you move these actions to a different statement without this condition key.",
    ),
    "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE": (
        "SUGGESTION",
        "suggestion-allow-notaction-with-unsupported-tag-condition-key-for-service",
        "Using the effect Allow with NotAction and the tag condition key {conditionKeyName} allows only service actions that support the condition key. The condition key doesn't apply to some service actions. We recommend that you use Action instead of NotAction.",
    ),
    "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL": (
        "SUGGESTION",
        "suggestion-recommended-condition-key-for-service-principal",
        "To restrict access to the service principal {servicePrincipalPrefix} operating on your behalf, we recommend aws:SourceArn or aws:SourceAccount instead of {key}.",
    ),
    "IRRELEVANT_CONDITION_KEY_IN_POLICY": (
        "SUGGESTION",
        "suggestion-irrelevant-condition-key-in-policy",
        "The condition key {condition_key} is not relevant for the {resource_type} policy.  Use this key in an identity-based policy to govern access to this resource.",
    ),
    "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY": (
        "SUGGESTION",
        "suggestion-redundant-principal-in-role-trust-policy",
        "The assumed-role principal {redundant_principal} is redundant with its parent role {parent_role}. Remove the assumed-role principal.",
    ),
    "CONFIRM_AUDIENCE_CLAIM_TYPE": (
        "SUGGESTION",
        "suggestion-confirm-audience-claim-type",
        "The 'aud' (audience) claim key identifies the recipients that the JSON web token is intended for. Audience claims can be multivalued or single-valued. If the claim is multivalued, use a ForAllValues or ForAnyValue qualifier. If the claim is single-valued, do not use a qualifier.",
    ),
}
