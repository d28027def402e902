// One service on EKS, with its whole delivery path from one ServiceDelivery.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as delivery from "@pulumi/container-delivery";

const store = new delivery.ArtifactStore("store", {
    artifactRetentionDays: 30,
});

const network = new delivery.Network("network", {
    availabilityZones: 3,
    natGateways: "per-az",
    flowLogsKmsKeyArn: store.keyArn,
});

const accessLogs = new delivery.AlbAccessLogs("alb", {
    prefixes: ["ingress"],
});

const cluster = new delivery.EksCluster("services", {
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    publicSubnetIds: network.publicSubnetIds,
    kmsKeyArn: store.keyArn,
    accessLogsBucketName: accessLogs.bucketName,
    accessLogsPrefix: "ingress",
});

// The workload goes to this cluster, never to the ambient kubeconfig.
const kubernetes = new k8s.Provider("services", {
    kubeconfig: cluster.kubeconfig,
});

const topics = new delivery.PipelineTopics("pipelines", {
    kmsKeyArn: store.keyArn,
});

const orders = new delivery.ServiceDelivery("orders", {
    source: {
        provider: "github",
        repository: "example-org/orders",
        branch: "main",
    },
    artifactBucketName: store.bucketName,
    artifactBucketArn: store.bucketArn,
    kmsKeyArn: store.keyArn,
    vpcId: network.vpcId,
    vpcCidrBlock: network.vpcCidrBlock,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    notificationTopicArn: topics.notificationTopicArn,
    approvalTopicArn: topics.approvalTopicArn,
    eksCluster: {
        clusterName: cluster.clusterName,
        clusterArn: cluster.clusterArn,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        ingressClassName: cluster.ingressClassName,
    },
    environment: "prod",
    containerPort: 8080,
    desiredCount: 2,
}, { providers: [kubernetes] });

export const url = orders.url;
export const pipeline = orders.pipelineName;
export const activate = orders.connectionActivation;
