"""A Source and a DeliveryPipeline wired to plain ARNs; config picks the variant under test."""

import pulumi

from components.delivery_pipeline import DeliveryPipeline, DeliveryPipelineArgs
from components.source import Source, SourceArgs

config = pulumi.Config()
ACCOUNT, REGION = "123456789012", "us-east-1"
connection_arn = config.get("connectionArn") or None

source_args: SourceArgs = {
    "provider": config.get("provider") or "github",
    "repository": config.get("repository") or "example-org/web",
    "branch": "main",
}
if connection_arn:
    source_args["connection_arn"] = connection_arn
source = Source("web-source", source_args)
args: DeliveryPipelineArgs = {
    "source": source.pipeline_source,
    "artifact_bucket_name": "artifacts-bucket-0a1b2c3",
    "artifact_bucket_arn": "arn:aws:s3:::artifacts-bucket-0a1b2c3",
    "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "build_project_name": "web-project-0a1b2c3",
    "build_project_arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/web-project-0a1b2c3",
    "image_parameter_name": "/container-delivery/test/web/image",
    "image_parameter_arn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/container-delivery/test/web/image",
    "require_approval": config.get_bool("requireApproval") is not False,
    "execution_mode": config.get("executionMode") or "QUEUED",
}
if deploy_project := config.get("deployProject"):
    args["eks_deploy"] = {
        "deploy_project_name": deploy_project,
        "deploy_project_arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{deploy_project}",
    }
else:
    args["ecs_deploy"] = {
        "ecs_cluster_name": "main-cluster",
        "ecs_service_name": "web",
        "ecs_service_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/main-cluster/web",
        "task_definition_family": "web",
        "task_role_arn": f"arn:aws:iam::{ACCOUNT}:role/web-task",
        "execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/web-execution",
    }
pipeline = DeliveryPipeline("web", args)

pulumi.export("activation", source.activation_message)
pulumi.export("stageNames", pipeline.stage_names)
pulumi.export("pipelineName", pipeline.pipeline_name)
