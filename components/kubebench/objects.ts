/**
 * Plain Kubernetes objects shared by the cluster-side renderers: the object types (from kubernetes-types,
 * so a misspelt field fails to compile), standard labels and bounded names.
 */
import { createHash } from "node:crypto";
import type { DaemonSet } from "kubernetes-types/apps/v1";
import type { CronJob, Job } from "kubernetes-types/batch/v1";
import type { ConfigMap, Namespace, Secret, ServiceAccount } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { ClusterRole, ClusterRoleBinding } from "kubernetes-types/rbac/v1";
import type { ContainerResources } from "../config/capabilities";
import type { ResourceRequirements } from "kubernetes-types/core/v1";
import { POD_SECURITY_LABELS, PROJECT_KEYS } from "./facts";

export type { ConfigMap, CronJob, ClusterRole, ClusterRoleBinding, DaemonSet, Job, Namespace, NetworkPolicy, Secret, ServiceAccount };

/** Every kind the cluster-side renderers produce. */
export type ClusterSideObject = Namespace | NetworkPolicy | ServiceAccount | ClusterRole | ClusterRoleBinding | Secret | ConfigMap | Job | CronJob | DaemonSet;

/** Labels every object of the project carries. */
export function standardLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PROJECT_KEYS.partOf,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

/**
 * `prefix + name`, at most `max` characters: a longer one keeps the start of `name` and ends in a hash
 * of it, so distinct names stay distinct (Job names must fit a 63-character label value; CronJob names
 * 52, since the controller appends 11 characters).
 */
export function boundedName(prefix: string, name: string, max: number): string {
  const full = `${prefix}${name}`;
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const keep = name.slice(0, Math.max(0, max - prefix.length - hash.length - 1)).replace(/-+$/, "");
  return `${prefix}${keep}-${hash}`;
}

/** A short, stable digest of some text (annotation values that make a pod template change). */
export function shortDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A Namespace with Pod Security labels at `level` (enforce, audit and warn alike). */
export function renderNamespace(name: string, level: "privileged" | "baseline" | "restricted", component: string): Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...standardLabels(name, component),
        [POD_SECURITY_LABELS.enforce]: level,
        [POD_SECURITY_LABELS.enforceVersion]: "latest",
        [POD_SECURITY_LABELS.audit]: level,
        [POD_SECURITY_LABELS.warn]: level,
      },
    },
  };
}

/**
 * Denies all ingress to the pods of `namespace` (CIS 5.3.2 wants a NetworkPolicy in every namespace).
 * Egress stays open: scans reach the API server and MinIO, the shipper reaches Loki.
 */
export function renderDenyIngressPolicy(namespace: string, component: string): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "deny-ingress", namespace, labels: standardLabels("deny-ingress", component) },
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  };
}

export function resourceRequirements(r: ContainerResources): ResourceRequirements {
  return { requests: { cpu: r.requests.cpu, memory: r.requests.memory }, limits: { cpu: r.limits.cpu, memory: r.limits.memory } };
}

/**
 * A rendered object as @pulumi/kubernetes resource args. kubernetes-types (Kubernetes 1.30 OpenAPI) and
 * pulumi-kubernetes' input types disagree on the optionality of a few fields the renderers never set
 * (e.g. HostAlias.ip), so the two are not assignable to each other; the rendered objects themselves
 * are checked against the Kubernetes OpenAPI schema in the tests.
 */
export function asResourceArgs<T>(obj: object): T {
  return obj as T;
}
