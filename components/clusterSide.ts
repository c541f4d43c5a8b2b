/**
 * The cluster-side capabilities for a validated configuration: kube-bench scans (per node on deploy,
 * and recurring), the MinIO evidence bucket, audit log shipping and the default ServiceAccount
 * lockdown. index.ts calls this after hardening the nodes; tests call it with fake nodes.
 */
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as minio from "@pulumi/minio";
import { CapabilitiesConfig, KubernetesAccessSettings } from "./config/capabilities";
import { StackConfig } from "./config/types";
import { EvidenceBucket } from "./evidence/evidenceBucket";
import { reportPrefix } from "./evidence/render";
import { HardenedNodeRef, KubeBench, UploaderCredentials } from "./kubebench/kubeBench";
import { AuditShipping } from "./logs/auditShipping";
import { ClusterAccess, clusterNamespaceLister, discoverNamespaces, NamespaceLister } from "./serviceaccounts/discover";
import { lockdownNamespaces } from "./serviceaccounts/render";
import { ServiceAccountLockdown } from "./serviceaccounts/serviceAccountLockdown";

export interface ClusterSideOptions {
  /** The hardened nodes (ClusterHardening.nodes): scans carry their digest and wait for their command. */
  nodes: ReadonlyArray<HardenedNodeRef>;
  /**
   * What the API server depends on: the server nodes' hardening (apply and restore). Every cluster-side
   * object is applied after it (a server restarts its API server while it is hardened) and deleted
   * before it (a destroy restores, and restarts, the servers last).
   */
  controlPlane?: pulumi.Resource[];
  /** Parent of the cluster-side components (e.g. the ClusterHardening root component). */
  parent?: pulumi.Resource;
  /** Kubernetes provider to use; default: one built from the `kubernetes` settings, else the default provider. */
  k8sProvider?: k8s.Provider;
  /** MinIO provider to use; default: the default provider (stack config `minio:*`). */
  minioProvider?: minio.Provider;
  /** Lists the namespaces that exist at deploy time; default: reads the cluster. */
  listNamespaces?: NamespaceLister;
  /** Where warnings go; default pulumi.log.warn. */
  warn?: (message: string) => void;
}

export interface ClusterSideOutputs {
  scannedNodes: string[];
  scanSchedule?: string;
  evidenceBucket?: pulumi.Output<string>;
  /** `<bucket>/kube-bench/<cluster>/<node>/<UTC timestamp>-<pod>.json`. */
  reportLocation?: string;
  auditLog?: { path: string; namespace: string; shipper: boolean };
  lockedDefaultServiceAccounts: string[];
}

export interface ClusterSide {
  kubeBench?: KubeBench;
  evidence?: EvidenceBucket;
  auditShipping?: AuditShipping;
  serviceAccounts?: ServiceAccountLockdown;
  outputs: ClusterSideOutputs;
}

function expandHome(p: string): string {
  return p.startsWith("~/") ? `${os.homedir()}${p.slice(1)}` : p;
}

/** The cluster the program talks to: the `kubernetes` settings, else the standard `kubernetes:` stack config. */
export function clusterAccess(access: KubernetesAccessSettings, stackConfig: (key: string) => string | undefined): ClusterAccess {
  const out: ClusterAccess = {};
  const kubeconfig = access.kubeconfig?.value ?? stackConfig("kubernetes:kubeconfig");
  if (kubeconfig !== undefined) {
    // pulumi-kubernetes accepts the contents or a path in `kubernetes:kubeconfig`.
    if (/\n|^\s*(apiVersion|clusters|kind)\s*:/.test(kubeconfig)) out.kubeconfig = kubeconfig;
    else out.kubeconfigPath = expandHome(kubeconfig);
  }
  const context = access.context ?? stackConfig("kubernetes:context");
  if (context !== undefined) out.context = context;
  return out;
}

/** An explicit provider when the `kubernetes` settings ask for one; undefined: the default provider. */
export function kubernetesProvider(access: KubernetesAccessSettings): k8s.Provider | undefined {
  if (!access.kubeconfig && access.context === undefined && access.renderYamlToDirectory === undefined) return undefined;
  const args: k8s.ProviderArgs = {};
  const kubeconfig = access.kubeconfig?.value ?? pulumi.runtime.getConfig("kubernetes:kubeconfig");
  if (kubeconfig !== undefined) args.kubeconfig = pulumi.secret(kubeconfig);
  if (access.context !== undefined) args.context = access.context;
  if (access.renderYamlToDirectory !== undefined) args.renderYamlToDirectory = access.renderYamlToDirectory;
  return new k8s.Provider("k8s-cluster-side", args);
}

/**
 * Creates the cluster-side resources. Async: the namespaces that exist at deploy time are read first,
 * then every resource is registered.
 */
export async function createClusterSide(cfg: StackConfig, caps: CapabilitiesConfig, opts: ClusterSideOptions): Promise<ClusterSide> {
  const warn = opts.warn ?? ((m: string) => pulumi.log.warn(m));
  const outputs: ClusterSideOutputs = { scannedNodes: [], lockedDefaultServiceAccounts: [] };
  if (!caps.kubernetes.enabled) return { outputs };

  let discovered: string[] | undefined;
  const sa = caps.serviceAccounts;
  if (sa.enabled && sa.discover && caps.kubernetes.renderYamlToDirectory === undefined) {
    const lister = opts.listNamespaces ?? clusterNamespaceLister(clusterAccess(caps.kubernetes, (k) => pulumi.runtime.getConfig(k)));
    const found = await discoverNamespaces(lister);
    if (found.namespaces) discovered = found.namespaces;
    else warn(`serviceAccounts: could not list the cluster's namespaces (${found.error}); only the configured ones are patched this time`);
  }

  const provider = opts.k8sProvider ?? kubernetesProvider(caps.kubernetes);
  const k8sOpts: pulumi.ComponentResourceOptions = { parent: opts.parent, ...(provider ? { providers: [provider] } : {}) };
  const side: ClusterSide = { outputs };
  const created = new Map<string, pulumi.Resource>();

  if (caps.kubeBench.enabled) {
    let uploader: UploaderCredentials | undefined;
    if (caps.evidence.enabled) {
      side.evidence = new EvidenceBucket(
        "evidence",
        { settings: caps.evidence, cluster: cfg.cluster },
        { parent: opts.parent, ...(opts.minioProvider ? { providers: [opts.minioProvider] } : {}) },
      );
      uploader = { accessKey: side.evidence.uploaderAccessKey, secretKey: side.evidence.uploaderSecretKey, ready: [side.evidence.uploaderReady] };
      outputs.evidenceBucket = side.evidence.bucketName;
      outputs.reportLocation = `${caps.evidence.bucket}/${reportPrefix(cfg.cluster)}<node>/<UTC timestamp>-<pod>.json`;
    }
    side.kubeBench = new KubeBench("kube-bench", { config: cfg, capabilities: caps, nodes: opts.nodes, uploader, after: opts.controlPlane }, k8sOpts);
    created.set(caps.kubeBench.namespace, side.kubeBench.namespace);
    outputs.scannedNodes = [...caps.kubeBench.nodes];
    outputs.scanSchedule = `${caps.kubeBench.schedule} (${caps.kubeBench.timeZone})`;
  }

  if (caps.auditShipping.enabled) {
    side.auditShipping = new AuditShipping("audit-shipping", { config: cfg, capabilities: caps, after: opts.controlPlane }, k8sOpts);
    if (side.auditShipping.namespace) created.set(caps.auditShipping.namespace, side.auditShipping.namespace);
    outputs.auditLog = { path: cfg.profile.audit.logPath, namespace: caps.auditShipping.namespace, shipper: caps.auditShipping.shipper.enabled };
  }

  if (sa.enabled) {
    const namespaces = lockdownNamespaces(sa, [...created.keys()], discovered);
    side.serviceAccounts = new ServiceAccountLockdown("default-sa", { namespaces, createdBy: created, after: opts.controlPlane }, k8sOpts);
    outputs.lockedDefaultServiceAccounts = namespaces;
  }
  return side;
}
