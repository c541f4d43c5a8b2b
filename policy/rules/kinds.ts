/**
 * The one place that maps Pulumi Kubernetes type tokens (`kubernetes:<group>/<version>:<Kind>[Patch]`,
 * `core` standing for the empty group) and YAML `apiVersion`/`kind` pairs to the kinds the rules know.
 */
import { CLUSTER_HARDENING_TYPE, NODE_HARDENING_TYPE } from "../../components/tokens";
import { KindInfo } from "./types";

/** Kinds that carry a pod template (or are pods). */
export const WORKLOAD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;
export const ROLE_KINDS = ["Role", "ClusterRole"] as const;
export const BINDING_KINDS = ["RoleBinding", "ClusterRoleBinding"] as const;

/**
 * Every kind a rule may judge, with its API group and scope. Kinds outside this table are not checked
 * (custom resources, Lists); 5.7.4 uses the namespaced ones.
 */
const KINDS: readonly KindInfo[] = [
  { kind: "Pod", group: "", namespaced: true },
  { kind: "Deployment", group: "apps", namespaced: true },
  { kind: "StatefulSet", group: "apps", namespaced: true },
  { kind: "DaemonSet", group: "apps", namespaced: true },
  { kind: "ReplicaSet", group: "apps", namespaced: true },
  { kind: "Job", group: "batch", namespaced: true },
  { kind: "CronJob", group: "batch", namespaced: true },
  { kind: "Role", group: "rbac.authorization.k8s.io", namespaced: true },
  { kind: "ClusterRole", group: "rbac.authorization.k8s.io", namespaced: false },
  { kind: "RoleBinding", group: "rbac.authorization.k8s.io", namespaced: true },
  { kind: "ClusterRoleBinding", group: "rbac.authorization.k8s.io", namespaced: false },
  { kind: "ServiceAccount", group: "", namespaced: true },
  { kind: "Service", group: "", namespaced: true },
  { kind: "ConfigMap", group: "", namespaced: true },
  { kind: "Secret", group: "", namespaced: true },
  { kind: "PersistentVolumeClaim", group: "", namespaced: true },
  { kind: "Namespace", group: "", namespaced: false },
  { kind: "NetworkPolicy", group: "networking.k8s.io", namespaced: true },
  { kind: "Ingress", group: "networking.k8s.io", namespaced: true },
  { kind: "PodDisruptionBudget", group: "policy", namespaced: true },
  { kind: "HorizontalPodAutoscaler", group: "autoscaling", namespaced: true },
];

const BY_KIND = new Map(KINDS.map((k) => [k.kind, k]));

/** Every namespaced kind of the table (the scope of 5.7.4). */
export const NAMESPACED_KINDS: readonly string[] = KINDS.filter((k) => k.namespaced).map((k) => k.kind);

/** A resolved kind, plus whether the resource is a Pulumi Patch (partial) resource. */
export interface ResolvedKind extends KindInfo {
  partial: boolean;
}

const TYPE_TOKEN = /^kubernetes:([^/:]+)\/([^/:]+):([A-Za-z0-9]+)$/;
const tokenCache = new Map<string, ResolvedKind | null>();

/**
 * `kubernetes:apps/v1:DeploymentPatch` -> Deployment (partial). Any version of the right group is accepted;
 * undefined for non-Kubernetes types, components, Lists and kinds outside the table.
 */
export function kindOfPulumiType(type: string): ResolvedKind | undefined {
  const cached = tokenCache.get(type);
  if (cached !== undefined) return cached ?? undefined;
  let resolved: ResolvedKind | null = null;
  const m = TYPE_TOKEN.exec(type);
  if (m) {
    const group = m[1] === "core" ? "" : m[1];
    const partial = m[3].endsWith("Patch");
    const info = BY_KIND.get(partial ? m[3].slice(0, -"Patch".length) : m[3]);
    if (info && info.group === group) resolved = { ...info, partial };
  }
  tokenCache.set(type, resolved);
  return resolved ?? undefined;
}

/** `apps/v1` + `Deployment` -> Deployment; undefined when the pair is not in the table. */
export function kindOfManifest(apiVersion: unknown, kind: unknown): ResolvedKind | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const info = BY_KIND.get(kind);
  if (!info) return undefined;
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  return info.group === group ? { ...info, partial: false } : undefined;
}

/** The Pulumi type token of a full (non-Patch) object of `kind`, for the preferred version. */
export function pulumiTypeOf(kind: string, version = "v1"): string {
  const info = BY_KIND.get(kind);
  if (!info) throw new Error(`kind "${kind}" is not in the policy kind table (policy/rules/kinds.ts)`);
  return `kubernetes:${info.group === "" ? "core" : info.group}/${version}:${kind}`;
}

/** Pulumi type tokens the stack rules look for; the project's own come from components/tokens.ts. */
export const STACK_TYPES = {
  clusterHardening: CLUSTER_HARDENING_TYPE,
  nodeHardening: NODE_HARDENING_TYPE,
  namespace: "kubernetes:core/v1:Namespace",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  serviceAccountPatch: "kubernetes:core/v1:ServiceAccountPatch",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  cronJob: "kubernetes:batch/v1:CronJob",
  minioBucket: "minio:index/s3Bucket:S3Bucket",
} as const;
