"""The service-linked roles AWS services make: each principal's role name, its policy, its suffix rule.

A service-linked role is the role a service would make itself, so CreateServiceLinkedRole gives it
the name AWS gives it (``AWSServiceRoleForAutoScaling``; Application Auto Scaling names one role
per scalable resource, ``AWSServiceRoleForApplicationAutoScaling_DynamoDBTable``) and attaches the
AWS-managed policy the service's documentation names (``AutoScalingServiceRolePolicy``, from the
catalogue iamd ships, ``aws_managed.py``): a session of the role may do what the service's role
may do on AWS, no more.

Sources: the IAM User Guide ("AWS services that work with IAM" and each service's
"Using service-linked roles" page; for Application Auto Scaling, its user guide's
"Service-linked roles" page, whose ARN table names every principal and role), checked against
responses AWS gave (the role and attached policy of each principal, and which principals refuse
a suffix, as recorded from AWS by LocalStack's AWS-validated IAM tests). ``suffix`` says
whether the service accepts ``CustomSuffix``: the API reference warns that "some services do not
support the CustomSuffix parameter"; Amazon EC2 Auto Scaling, Amazon Connect and Amazon Lex V2
create several roles per account (``AWSServiceRoleForAutoScaling_<suffix>``), the others one, and
refuse a suffix with ``Custom suffix is not allowed for <principal>`` (InvalidInput).

Pure data: ``service_linked_names`` (which authorization shares) reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LinkedRole:
    role_name: str
    policies: tuple[str, ...]  # names under arn:aws:iam::aws:policy/aws-service-role/
    suffix: bool = False


def _r(role_name: str, *policies: str, suffix: bool = False) -> LinkedRole:
    return LinkedRole("AWSServiceRoleFor" + role_name, policies, suffix)


_AAS = "application-autoscaling.amazonaws.com"

LINKED_ROLES: dict[str, LinkedRole] = {
    # Application Auto Scaling: one role per scalable resource type.
    f"appstream.{_AAS}": _r("ApplicationAutoScaling_AppStreamFleet", "AWSApplicationAutoscalingAppStreamFleetPolicy"),
    f"cassandra.{_AAS}": _r("ApplicationAutoScaling_CassandraTable", "AWSApplicationAutoscalingCassandraTablePolicy"),
    f"comprehend.{_AAS}": _r(
        "ApplicationAutoScaling_ComprehendEndpoint", "AWSApplicationAutoscalingComprehendEndpointPolicy"
    ),
    f"custom-resource.{_AAS}": _r(
        "ApplicationAutoScaling_CustomResource", "AWSApplicationAutoScalingCustomResourcePolicy"
    ),
    f"dynamodb.{_AAS}": _r("ApplicationAutoScaling_DynamoDBTable", "AWSApplicationAutoscalingDynamoDBTablePolicy"),
    f"ec2.{_AAS}": _r(
        "ApplicationAutoScaling_EC2SpotFleetRequest", "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy"
    ),
    f"ecs.{_AAS}": _r("ApplicationAutoScaling_ECSService", "AWSApplicationAutoscalingECSServicePolicy"),
    f"elasticache.{_AAS}": _r("ApplicationAutoScaling_ElastiCacheRG", "AWSApplicationAutoscalingElastiCacheRGPolicy"),
    f"kafka.{_AAS}": _r("ApplicationAutoScaling_KafkaCluster", "AWSApplicationAutoscalingKafkaClusterPolicy"),
    f"lambda.{_AAS}": _r(
        "ApplicationAutoScaling_LambdaConcurrency", "AWSApplicationAutoscalingLambdaConcurrencyPolicy"
    ),
    f"neptune.{_AAS}": _r("ApplicationAutoScaling_NeptuneCluster", "AWSApplicationAutoscalingNeptuneClusterPolicy"),
    f"rds.{_AAS}": _r("ApplicationAutoScaling_RDSCluster", "AWSApplicationAutoscalingRDSClusterPolicy"),
    f"sagemaker.{_AAS}": _r(
        "ApplicationAutoScaling_SageMakerEndpoint", "AWSApplicationAutoscalingSageMakerEndpointPolicy"
    ),
    f"workspaces.{_AAS}": _r("ApplicationAutoScaling_WorkSpacesPool", "AWSApplicationAutoscalingWorkSpacesPoolPolicy"),
    # Everything else, by principal.
    "access-analyzer.amazonaws.com": _r("AccessAnalyzer", "AccessAnalyzerServiceRolePolicy"),
    "accountdiscovery.ssm.amazonaws.com": _r(
        "AmazonSSM_AccountDiscovery", "AWSSystemsManagerAccountDiscoveryServicePolicy"
    ),
    "acm.amazonaws.com": _r("CertificateManager", "CertificateManagerServiceRolePolicy"),
    "appmesh.amazonaws.com": _r("AppMesh", "AWSAppMeshServiceRolePolicy"),
    "autoscaling-plans.amazonaws.com": _r("AutoScalingPlans_EC2AutoScaling", "AWSAutoScalingPlansEC2AutoScalingPolicy"),
    "autoscaling.amazonaws.com": _r("AutoScaling", "AutoScalingServiceRolePolicy", suffix=True),
    "backup.amazonaws.com": _r("Backup", "AWSBackupServiceLinkedRolePolicyForBackup"),
    "batch.amazonaws.com": _r("Batch", "BatchServiceRolePolicy"),
    "cks.kms.amazonaws.com": _r(
        "KeyManagementServiceCustomKeyStores", "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy"
    ),
    "cloud9.amazonaws.com": _r("AWSCloud9", "AWSCloud9ServiceRolePolicy"),
    "cloudtrail.amazonaws.com": _r("CloudTrail", "CloudTrailServiceRolePolicy"),
    "codestar-notifications.amazonaws.com": _r("CodeStarNotifications", "AWSCodeStarNotificationsServiceRolePolicy"),
    "compute-optimizer.amazonaws.com": _r("ComputeOptimizer", "ComputeOptimizerServiceRolePolicy"),
    "config.amazonaws.com": _r("Config", "AWSConfigServiceRolePolicy"),
    "connect.amazonaws.com": _r("AmazonConnect", "AmazonConnectServiceLinkedRolePolicy", suffix=True),
    "dms.amazonaws.com": _r("DMSServerless", "AWSDMSServerlessServiceRolePolicy"),
    "dms-fleet-advisor.amazonaws.com": _r("DMSFleetAdvisor", "AWSDMSFleetAdvisorServiceRolePolicy"),
    "docdb-elastic.amazonaws.com": _r("DocDB-Elastic", "AmazonDocDB-ElasticServiceRolePolicy"),
    "ec2-instance-connect.amazonaws.com": _r("Ec2InstanceConnect", "Ec2InstanceConnectEndpoint"),
    "ecr.amazonaws.com": _r("ECRTemplate", "ECRTemplateServiceRolePolicy"),
    "ecs.amazonaws.com": _r("ECS", "AmazonECSServiceRolePolicy"),
    "eks-connector.amazonaws.com": _r("AmazonEKSConnector", "AmazonEKSConnectorServiceRolePolicy"),
    "eks-fargate.amazonaws.com": _r("AmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy"),
    "eks-nodegroup.amazonaws.com": _r("AmazonEKSNodegroup", "AWSServiceRoleForAmazonEKSNodegroup"),
    "eks.amazonaws.com": _r("AmazonEKS", "AmazonEKSServiceRolePolicy"),
    "elasticache.amazonaws.com": _r("ElastiCache", "ElastiCacheServiceRolePolicy"),
    "elasticbeanstalk.amazonaws.com": _r("ElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy"),
    "elasticfilesystem.amazonaws.com": _r("AmazonElasticFileSystem", "AmazonElasticFileSystemServiceRolePolicy"),
    "elasticloadbalancing.amazonaws.com": _r("ElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"),
    "elasticmapreduce.amazonaws.com": _r("EMRCleanup", "AmazonEMRCleanupPolicy"),
    "emrwal.amazonaws.com": _r("EMRWAL", "EMRDescribeClusterPolicyForEMRWAL"),
    "email.cognito-idp.amazonaws.com": _r("AmazonCognitoIdpEmailService", "AmazonCognitoIdpEmailServiceRolePolicy"),
    "emr-containers.amazonaws.com": _r("AmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy"),
    "es.amazonaws.com": _r("AmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy"),
    "events.amazonaws.com": _r("CloudWatchEvents", "CloudWatchEventsServiceRolePolicy"),
    "fis.amazonaws.com": _r("FIS", "AmazonFISServiceRolePolicy"),
    "fms.amazonaws.com": _r("FMS", "FMSServiceRolePolicy"),
    "globalaccelerator.amazonaws.com": _r("GlobalAccelerator", "AWSGlobalAcceleratorSLRPolicy"),
    "grafana.amazonaws.com": _r("AmazonGrafana", "AmazonGrafanaServiceLinkedRolePolicy"),
    "guardduty.amazonaws.com": _r("AmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"),
    "imagebuilder.amazonaws.com": _r("ImageBuilder", "AWSServiceRoleForImageBuilder"),
    "inspector.amazonaws.com": _r("AmazonInspector", "AmazonInspectorServiceRolePolicy"),
    "inspector2.amazonaws.com": _r("AmazonInspector2", "AmazonInspector2ServiceRolePolicy"),
    "iotmanagedintegrations.amazonaws.com": _r("IoTManagedIntegrations", "AWSIoTManagedIntegrationsRolePolicy"),
    "kafka.amazonaws.com": _r("Kafka", "KafkaServiceRolePolicy"),
    "kafkaconnect.amazonaws.com": _r("KafkaConnect", "KafkaConnectServiceRolePolicy"),
    "lakeformation.amazonaws.com": _r("LakeFormationDataAccess", "LakeFormationDataAccessServiceRolePolicy"),
    # AWS attaches AmazonLexBotPolicy today; the shipped catalogue has it only under its older
    # name, LexBotPolicy (regenerating the catalogue brings the new name).
    "lex.amazonaws.com": _r("LexBots", "LexBotPolicy"),
    "lexv2.amazonaws.com": _r("LexV2Bots", "AmazonLexV2BotPolicy", suffix=True),
    "lightsail.amazonaws.com": _r("Lightsail", "LightsailExportAccess"),
    "m2.amazonaws.com": _r("AWSM2", "AWSM2ServicePolicy"),
    "macie.amazonaws.com": _r("AmazonMacie", "AmazonMacieServiceRolePolicy"),
    "member.org.stacksets.cloudformation.amazonaws.com": _r(
        "CloudFormationStackSetsOrgMember", "CloudFormationStackSetsOrgMemberServiceRolePolicy"
    ),
    "memorydb.amazonaws.com": _r("MemoryDB", "MemoryDBServiceRolePolicy"),
    "mq.amazonaws.com": _r("AmazonMQ", "AmazonMQServiceRolePolicy"),
    "mrk.kms.amazonaws.com": _r(
        "KeyManagementServiceMultiRegionKeys", "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy"
    ),
    "notifications.amazonaws.com": _r("AwsUserNotifications", "AWSUserNotificationsServiceLinkedRolePolicy"),
    "observability.aoss.amazonaws.com": _r(
        "AmazonOpenSearchServerless", "AmazonOpenSearchServerlessServiceRolePolicy"
    ),
    "opensearchservice.amazonaws.com": _r("AmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy"),
    "ops.apigateway.amazonaws.com": _r("APIGateway", "APIGatewayServiceRolePolicy"),
    "ops.emr-serverless.amazonaws.com": _r("AmazonEMRServerless", "AmazonEMRServerlessServiceRolePolicy"),
    "opsdatasync.ssm.amazonaws.com": _r(
        "SystemsManagerOpsDataSync", "AWSSystemsManagerOpsDataSyncServiceRolePolicy"
    ),
    "opsinsights.ssm.amazonaws.com": _r("AmazonSSM_OpsInsights", "AWSSSMOpsInsightsServiceRolePolicy"),
    "organizations.amazonaws.com": _r("Organizations", "AWSOrganizationsServiceTrustPolicy"),
    "pullthroughcache.ecr.amazonaws.com": _r("ECRPullThroughCache", "AWSECRPullThroughCache_ServiceRolePolicy"),
    "ram.amazonaws.com": _r("ResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy"),
    "rds.amazonaws.com": _r("RDS", "AmazonRDSServiceRolePolicy"),
    "redshift.amazonaws.com": _r("Redshift", "AmazonRedshiftServiceLinkedRolePolicy"),
    "replication.cassandra.amazonaws.com": _r("KeyspacesReplication", "KeyspacesReplicationServiceRolePolicy"),
    "replication.dynamodb.amazonaws.com": _r("DynamoDBReplication", "DynamoDBReplicationServiceRolePolicy"),
    "replication.ecr.amazonaws.com": _r("ECRReplication", "ECRReplicationServiceRolePolicy"),
    "repository.sync.codeconnections.amazonaws.com": _r("GitSync", "AWSGitSyncServiceRolePolicy"),
    "resource-explorer-2.amazonaws.com": _r("ResourceExplorer", "AWSResourceExplorerServiceRolePolicy"),
    "rolesanywhere.amazonaws.com": _r("RolesAnywhere", "AWSRolesAnywhereServicePolicy"),
    "s3-outposts.amazonaws.com": _r("S3OnOutposts", "AWSS3OnOutpostsServiceRolePolicy"),
    "securityhub.amazonaws.com": _r("SecurityHub", "AWSSecurityHubServiceRolePolicy"),
    "ses.amazonaws.com": _r("AmazonSES", "AmazonSESServiceRolePolicy"),
    "shield.amazonaws.com": _r("AWSShield", "AWSShieldServiceRolePolicy"),
    "spot.amazonaws.com": _r("EC2Spot", "AWSEC2SpotServiceRolePolicy"),
    "spotfleet.amazonaws.com": _r("EC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy"),
    "ssm-incidents.amazonaws.com": _r("IncidentManager", "AWSIncidentManagerServiceRolePolicy"),
    "ssm-quicksetup.amazonaws.com": _r("SSMQuickSetup", "SSMQuickSetupRolePolicy"),
    "ssm.amazonaws.com": _r("AmazonSSM", "AmazonSSMServiceRolePolicy"),
    "sso.amazonaws.com": _r("SSO", "AWSSSOServiceRolePolicy"),
    "stacksets.cloudformation.amazonaws.com": _r(
        "CloudFormationStackSetsOrgAdmin", "CloudFormationStackSetsOrgAdminServiceRolePolicy"
    ),
    "support.amazonaws.com": _r("Support", "AWSSupportServiceRolePolicy"),
    "transitgateway.amazonaws.com": _r("VPCTransitGateway", "AWSVPCTransitGatewayServiceRolePolicy"),
    "trustedadvisor.amazonaws.com": _r("TrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy"),
    "vpcorigin.cloudfront.amazonaws.com": _r("CloudFrontVPCOrigin", "AWSCloudFrontVPCOriginServiceRolePolicy"),
    "waf.amazonaws.com": _r("WAFLogging", "WAFLoggingServiceRolePolicy"),
    "wafv2.amazonaws.com": _r("WAFV2Logging", "WAFV2LoggingServiceRolePolicy"),
}
