/**
 * Builders for the cluster-side tests, and the offline OpenAPI schema check of rendered objects
 * (kubernetes-models: the Kubernetes OpenAPI schemas compiled to validators).
 */
import { DaemonSet } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ClusterRole, ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { ConfigMap, Namespace, Secret, ServiceAccount } from "kubernetes-models/v1";
import { CapabilitiesConfig, validateCapabilities } from "../../../components/config/capabilities";
import { RawStackConfig, validateStackConfig } from "../../../components/config/validate";
import { StackConfig } from "../../../components/config/types";
import { rawConfig } from "../helpers";
import { getBenchmark } from "../../../components/cis";
import { checkFileRoot } from "../../vendor";

/** Capability values of a fully configured stack; each test changes one thing. */
export const FULL_CAPABILITIES: Record<string, unknown> = {
  // The vendored files of the default profile (k3s-cis-1.12); build() swaps in those of another profile.
  kubeBench: { schedule: "0 2 * * 0", checkFiles: checkFileRoot("security-scan") },
  evidence: { bucket: "test-cis-evidence", endpoint: "https://minio.example.internal:9000" },
  auditShipping: { lokiUrl: "http://loki-gateway.monitoring.svc/loki/api/v1/push", shipper: { enabled: true } },
  serviceAccounts: { namespaces: ["default", "kube-system", "kube-public", "kube-node-lease", "apps"] },
};

export interface Built {
  raw: RawStackConfig;
  cfg: StackConfig;
  caps: CapabilitiesConfig;
}

/**
 * Stack + capabilities from raw values (FULL_CAPABILITIES unless `capabilities` is given). Unless the
 * values name other `kubeBench.checkFiles`, it points at the vendored check files of the stack's profile.
 */
export function build(capabilities: Record<string, unknown> = FULL_CAPABILITIES, stackValues: Record<string, unknown> = {}): Built {
  const cfg = validateStackConfig(rawConfig({ ...stackValues, ...capabilities }));
  const kb = (capabilities.kubeBench ?? {}) as Record<string, unknown>;
  const own = "checkFiles" in kb && kb.checkFiles !== checkFileRoot("security-scan");
  const withFiles = own ? capabilities : { ...capabilities, kubeBench: { ...kb, checkFiles: checkFileRoot(getBenchmark(cfg.profile.benchmark).source.project) } };
  const raw = rawConfig({ ...stackValues, ...withFiles });
  return { raw, cfg, caps: validateCapabilities(raw, cfg) };
}

/** `FULL_CAPABILITIES` with `key` replaced (undefined removes it). */
export function withCapability(key: string, value: unknown): Record<string, unknown> {
  const out = { ...FULL_CAPABILITIES };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** A kubernetes-models class: construct with the object, validate() throws on a schema violation. */
type ModelClass = new (data: object) => { validate(): void };

const MODELS: Record<string, ModelClass> = {
  "v1/Namespace": Namespace as unknown as ModelClass,
  "v1/ServiceAccount": ServiceAccount as unknown as ModelClass,
  "v1/Secret": Secret as unknown as ModelClass,
  "v1/ConfigMap": ConfigMap as unknown as ModelClass,
  "batch/v1/Job": Job as unknown as ModelClass,
  "batch/v1/CronJob": CronJob as unknown as ModelClass,
  "apps/v1/DaemonSet": DaemonSet as unknown as ModelClass,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole as unknown as ModelClass,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding as unknown as ModelClass,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy as unknown as ModelClass,
};

/** Schema problems of a Kubernetes object, or [] when it is valid. Unknown kinds are a problem. */
export function schemaProblems(obj: object): string[] {
  const { apiVersion, kind } = obj as { apiVersion?: string; kind?: string };
  const key = `${apiVersion}/${kind}`;
  const Model = MODELS[key];
  if (!Model) return [`no schema for ${key}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Name rules the OpenAPI schema does not carry: DNS names and label values (<= 63). */
export function nameProblems(obj: { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }): string[] {
  const out: string[] = [];
  const m = obj.metadata ?? {};
  if (!m.name || !DNS_LABEL.test(m.name)) out.push(`name ${JSON.stringify(m.name)} is not a DNS label`);
  if (m.namespace !== undefined && !DNS_LABEL.test(m.namespace)) out.push(`namespace ${JSON.stringify(m.namespace)} is not a DNS label`);
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (v.length > 63 || !/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v)) out.push(`label ${k}=${JSON.stringify(v)} is not a valid label value`);
  }
  return out;
}
