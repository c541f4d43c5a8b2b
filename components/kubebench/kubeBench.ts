/**
 * KubeBench: kube-bench in the cluster. Content comes from the pure renderers (render.ts); this
 * component only turns those objects into @pulumi/kubernetes resources and wires their order.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CapabilitiesConfig } from "../config/capabilities";
import { StackConfig } from "../config/types";
import { nodeReportPrefix, renderMcHostLine } from "../evidence/render";
import { asResourceArgs } from "./objects";
import {
  renderCheckFilesConfigMap,
  renderKubeBenchBase,
  renderScanEgressPolicy,
  renderScanCronJob,
  renderScanJob,
  renderUploaderSecret,
  scannedNodes,
  UPLOADER_SECRET_KEY,
} from "./render";

/** Type token; stack policies and the report find the scanner by it. */
export const KUBE_BENCH_TYPE = "k3s-cis:kubebench:KubeBench";

/** What a node's scan needs from its hardening; a NodeHardening component is one. */
export interface HardenedNodeRef {
  summary: {
    nodeName: string;
    /** Hash of the node's hardened files; a change re-runs the node's deploy-time scan. */
    digest: string;
  };
  /** The resource that applies the hardening (NodeHardening.command); the scan runs after it. */
  command?: pulumi.Resource;
}

/** The uploader's MinIO credentials, from the EvidenceBucket component. */
export interface UploaderCredentials {
  accessKey: pulumi.Input<string>;
  /** A secret. */
  secretKey: pulumi.Input<string>;
  /** Resources that must exist before an upload can succeed (the user's policy attachment). */
  ready: pulumi.Resource[];
}

export interface KubeBenchArgs {
  /** The validated stack configuration (cluster name, nodes, benchmark). */
  config: StackConfig;
  /** The validated capabilities (kubeBench, evidence). */
  capabilities: CapabilitiesConfig;
  /** The hardened nodes (NodeHardening components); every scanned node must be among them. */
  nodes: ReadonlyArray<HardenedNodeRef>;
  /** Required when evidence is enabled: the credentials written into the scanner namespace's Secret. */
  uploader?: UploaderCredentials;
  /** Resources every object waits for on create and outlives on delete (the server nodes' hardening). */
  after?: pulumi.Resource[];
}

export class KubeBench extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  /** Deploy-time scan Jobs, one per scanned node. */
  public readonly scanJobs: k8s.batch.v1.Job[] = [];
  /** Recurring scans, one CronJob per scanned node. */
  public readonly scheduledScans: k8s.batch.v1.CronJob[] = [];
  public readonly namespaceName: pulumi.Output<string>;
  public readonly scannedNodes: pulumi.Output<string[]>;
  public readonly schedule: pulumi.Output<string>;
  /** `<bucket>/kube-bench/<cluster>/<node>/` per node, when reports are uploaded. */
  public readonly reportLocations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: KubeBenchArgs, opts?: pulumi.ComponentResourceOptions) {
    super(KUBE_BENCH_TYPE, name, {}, opts);
    const { config: cfg, capabilities: caps } = args;
    const base = renderKubeBenchBase(caps);
    const parent = { parent: this, dependsOn: args.after ?? [] };

    // Every other object depends on the namespace or the ClusterRole, so `after` on these two orders all.
    this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, asResourceArgs<k8s.core.v1.NamespaceArgs>(base.namespace), parent);
    const inNamespace = { parent: this, dependsOn: [this.namespace] };
    new k8s.networking.v1.NetworkPolicy(`${name}-deny-ingress`, asResourceArgs<k8s.networking.v1.NetworkPolicyArgs>(base.networkPolicy), inNamespace);
    new k8s.networking.v1.NetworkPolicy(`${name}-scan-egress`, asResourceArgs<k8s.networking.v1.NetworkPolicyArgs>(renderScanEgressPolicy(cfg, caps)), inNamespace);
    const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-serviceaccount`, asResourceArgs<k8s.core.v1.ServiceAccountArgs>(base.serviceAccount), inNamespace);
    const role = new k8s.rbac.v1.ClusterRole(`${name}-read-only`, asResourceArgs<k8s.rbac.v1.ClusterRoleArgs>(base.clusterRole), parent);
    const binding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-read-only`, asResourceArgs<k8s.rbac.v1.ClusterRoleBindingArgs>(base.clusterRoleBinding), { parent: this, dependsOn: [role, serviceAccount] });

    // The profile's pinned check files; immutable, and named after their digest, so other files are a new
    // ConfigMap (created before the old one is deleted) and every scan pod that mounts it changes too.
    const checkFiles = new k8s.core.v1.ConfigMap(`${name}-check-files`, asResourceArgs<k8s.core.v1.ConfigMapArgs>(renderCheckFilesConfigMap(caps)), inNamespace);
    const podPrerequisites: pulumi.Resource[] = [this.namespace, serviceAccount, binding, checkFiles];
    if (caps.evidence.enabled) {
      if (!args.uploader) throw new Error("KubeBench: evidence is enabled but no uploader credentials were given");
      const endpoint = caps.evidence.endpoint;
      const hostLine = pulumi.secret(pulumi.all([args.uploader.accessKey, args.uploader.secretKey]).apply(([ak, sk]) => renderMcHostLine(endpoint, ak, sk)));
      const secret = renderUploaderSecret(caps, "");
      podPrerequisites.push(
        new k8s.core.v1.Secret(
          `${name}-uploader`,
          asResourceArgs<k8s.core.v1.SecretArgs>({ metadata: secret.metadata, type: secret.type, stringData: { [UPLOADER_SECRET_KEY]: hostLine } }),
          { parent: this, dependsOn: [this.namespace], additionalSecretOutputs: ["data", "stringData"] },
        ),
        ...args.uploader.ready,
      );
    }

    const locations: Record<string, string> = {};
    const byName = new Map(args.nodes.map((n) => [n.summary.nodeName, n]));
    for (const node of scannedNodes(cfg, caps)) {
      const ref = byName.get(node.name);
      if (!ref) throw new Error(`KubeBench: no hardened node ${node.name} was given`);
      if (caps.evidence.enabled) locations[node.name] = `${caps.evidence.bucket}/${nodeReportPrefix(cfg.cluster, node.name)}`;
      if (caps.kubeBench.scanOnDeploy) {
        // The digest is a plain value computed from the rendered files, so the preview already shows
        // which nodes will be scanned again (their Job is replaced).
        this.scanJobs.push(
          new k8s.batch.v1.Job(
            `${name}-scan-${node.name}`,
            asResourceArgs<k8s.batch.v1.JobArgs>(renderScanJob(cfg, caps, node, ref.summary.digest)),
            { parent: this, dependsOn: [...podPrerequisites, ...(ref.command ? [ref.command] : [])] },
          ),
        );
      }
      this.scheduledScans.push(
        new k8s.batch.v1.CronJob(`${name}-cron-${node.name}`, asResourceArgs<k8s.batch.v1.CronJobArgs>(renderScanCronJob(cfg, caps, node)), { parent: this, dependsOn: podPrerequisites }),
      );
    }

    this.namespaceName = pulumi.output(caps.kubeBench.namespace);
    this.scannedNodes = pulumi.output(scannedNodes(cfg, caps).map((n) => n.name));
    this.schedule = pulumi.output(`${caps.kubeBench.schedule} (${caps.kubeBench.timeZone})`);
    this.reportLocations = pulumi.output(locations);
    this.registerOutputs({
      namespaceName: this.namespaceName,
      scannedNodes: this.scannedNodes,
      schedule: this.schedule,
      reportLocations: this.reportLocations,
    });
  }
}
