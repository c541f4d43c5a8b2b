/**
 * Types of the CIS catalog: the single source of truth for control ids, titles, severities and the
 * flag/file expectations that kube-bench evaluates on k3s. The node renderer, the policy pack and the
 * report all read this data; nothing else hard-codes a CIS id.
 */

/** kube-bench benchmark names for k3s that this project supports, oldest first. */
export const SUPPORTED_BENCHMARKS = [
  "k3s-cis-1.7",
  "k3s-cis-1.8",
  "k3s-cis-1.9",
  "k3s-cis-1.10",
  "k3s-cis-1.11",
  "k3s-cis-1.12",
] as const;
export type BenchmarkId = (typeof SUPPORTED_BENCHMARKS)[number];

/** kube-bench targets (the YAML file a check lives in). */
export type Target = "master" | "etcd" | "controlplane" | "node" | "policies";

/**
 * How kube-bench treats the check:
 * - automated: evaluated, reaches PASS or FAIL;
 * - manual: always reported WARN (type "manual" in kube-bench);
 * - skip: not applicable to k3s, reported INFO (type "skip").
 */
export type CheckKind = "automated" | "manual" | "skip";

export type Severity = "critical" | "high" | "medium" | "low";

/** k3s components whose `Running ...` journal line kube-bench reads flags from. */
export type FlagComponent = "apiserver" | "controllermanager" | "scheduler" | "kubelet" | "etcd";

/** Comparison operators, with kube-bench's semantics. */
export type CompareOp =
  | "eq"
  | "noteq"
  | "gt"
  | "gte"
  | "lt"
  | "lte"
  | "has"
  | "nothave"
  | "regex"
  | "valid_elements"
  | "bitmask"
  /** A typo in kube-bench's k3s-cis-1.9 data (4.2.5); kube-bench does not know it, so it never passes. */
  | "noteqx";

/** One test item: a flag must be set/unset, or compare against a value. */
export interface FlagTestItem {
  /** Flag name with leading dashes as kube-bench writes it, e.g. `--anonymous-auth`. */
  flag: string;
  /** `set: false` means the flag must be absent; `set: true` that it must be present. */
  set?: boolean;
  compare?: { op: CompareOp; value: string };
}

/** A check decided by the flags on a component's journal line. */
export interface FlagCheck {
  kind: "flag";
  component: FlagComponent;
  binOp: "and" | "or";
  items: FlagTestItem[];
}

/** A check decided by a file's mode or owner on the node. */
export interface FileCheck {
  kind: "file";
  /** Absolute path on the node (may contain a glob, as kube-bench's audit does). */
  path: string;
  /** `permissions`: mode must be this or more restrictive (bitmask, e.g. "600"); `owner`: "root:root". */
  property: "permissions" | "owner";
  expected: string;
}

/**
 * What decides a check the renderer cannot predict from flags and file modes:
 * - node: the node's own state that k3s produces (its etcd and encryption files, process arguments);
 * - stack: objects this stack itself deploys (e.g. the default ServiceAccounts it locks down);
 * - cluster: what else runs in the cluster (RBAC bindings, Pods, namespaces other people create);
 * - nothing: kube-bench has no test for it (always WARN, or INFO when skipped).
 */
export type DecidedBy = "node" | "stack" | "cluster" | "nothing";

/**
 * Anything else kube-bench evaluates (API queries, process checks). Its test items are recorded as
 * kube-bench has them, so that the catalog can be compared with the check files; the prediction does
 * not evaluate them.
 */
export interface OtherCheck {
  kind: "other";
  decidedBy: DecidedBy;
  binOp: "and" | "or";
  /** kube-bench's test items; a `path`-only item is written as the flag its last path segment names. */
  items: FlagTestItem[];
}

export type CheckSpec = FlagCheck | FileCheck | OtherCheck;

/**
 * Stable names for the concerns code must find without hard-coding an id (ids move between benchmark
 * versions). A control carries at most one topic; most controls carry none.
 */
export const TOPICS = [
  // API server
  "api.anonymous-auth",
  "api.authorization-mode.not-always-allow",
  "api.authorization-mode.node",
  "api.authorization-mode.rbac",
  "api.admission.event-rate-limit",
  "api.admission.always-admit",
  "api.admission.always-pull-images",
  "api.admission.service-account",
  "api.admission.namespace-lifecycle",
  "api.admission.node-restriction",
  "api.profiling",
  "api.audit-log-path",
  "api.audit-log-maxage",
  "api.audit-log-maxbackup",
  "api.audit-log-maxsize",
  "api.request-timeout",
  "api.service-account-lookup",
  "api.encryption-provider-config",
  "api.encryption-providers",
  "api.tls-cipher-suites",
  "api.service-account-extend-token-expiration",
  // controller manager / scheduler
  "cm.terminated-pod-gc-threshold",
  "cm.profiling",
  "cm.use-service-account-credentials",
  "cm.bind-address",
  "scheduler.profiling",
  "scheduler.bind-address",
  // logging
  "logging.audit-policy",
  "logging.audit-policy-coverage",
  // kubelet
  "kubelet.anonymous-auth",
  "kubelet.authorization-mode",
  "kubelet.client-ca-file",
  "kubelet.read-only-port",
  "kubelet.streaming-connection-idle-timeout",
  "kubelet.protect-kernel-defaults",
  "kubelet.make-iptables-util-chains",
  "kubelet.hostname-override",
  "kubelet.event-qps",
  "kubelet.tls-cert-files",
  "kubelet.rotate-certificates",
  "kubelet.rotate-server-certificates",
  "kubelet.tls-cipher-suites",
  "kubelet.pod-max-pids",
  "kubelet.seccomp-default",
  // policies (section 5)
  "rbac.cluster-admin",
  "rbac.secrets-access",
  "rbac.wildcards",
  "rbac.pod-create",
  "sa.default-not-used",
  "sa.token-automount",
  "pod.privileged",
  "pod.host-pid",
  "pod.host-ipc",
  "pod.host-network",
  "pod.privilege-escalation",
  "pod.root",
  "pod.net-raw",
  "pod.added-capabilities",
  "pod.capabilities-all",
  "pod.host-path",
  "pod.host-port",
  "pod.windows-host-process",
  "network.cni-policies",
  "network.policies",
  "secrets.as-env",
  "secrets.external-storage",
  "pod.seccomp",
  "pod.security-context",
  "namespace.default",
  "namespace.boundaries",
] as const;
export type Topic = (typeof TOPICS)[number];

export interface Control {
  /** CIS id as kube-bench reports it, e.g. "1.2.1". */
  id: string;
  /** Stable concern name, see TOPICS. */
  topic?: Topic;
  /** Short title in this project's words. */
  title: string;
  /** Group id, e.g. "1.2". */
  section: string;
  target: Target;
  kind: CheckKind;
  /** kube-bench's `scored` field. */
  scored: boolean;
  severity: Severity;
  check: CheckSpec;
  /** Short remediation in this project's words, for reports and policy messages. */
  remediation: string;
}

/** The files of one profile folder: the five targets and the profile's config.yaml. */
export const CHECK_FILE_NAMES = ["config.yaml", "master.yaml", "etcd.yaml", "controlplane.yaml", "node.yaml", "policies.yaml"] as const;
export type CheckFileName = (typeof CHECK_FILE_NAMES)[number];

/** Where a profile's check files are published. */
export interface CheckFileSource {
  /** kube-bench's own `cfg/` (aquasecurity/kube-bench) or Rancher's security-scan `package/cfg/`. */
  project: "kube-bench" | "security-scan";
  /** The upstream commit the catalog was compared with. */
  commit: string;
  /** The `version` label the files (and so kube-bench's JSON report) carry, e.g. "cis-1.12". */
  versionLabel: string;
  /** sha256 of each file of the profile folder at that commit. */
  files: Record<CheckFileName, string>;
}

export interface Benchmark {
  id: BenchmarkId;
  /** CIS Kubernetes Benchmark version this k3s profile follows (e.g. "1.7"). */
  cisVersion: string;
  /** Kubernetes minor versions (k3s releases) the profile is meant for, inclusive; max "" = no upper bound. */
  kubernetes: { min: string; max: string };
  source: CheckFileSource;
  /**
   * Topics whose check the profile removed by folding it into a broader one (1.12: "added capabilities"
   * into "capabilities assigned"); `controlByTopic` answers with the broader check.
   */
  foldedTopics?: Partial<Record<Topic, Topic>>;
  /** Group titles by section id ("1.2" -> "API Server"). */
  sections: Record<string, string>;
  controls: Control[];
}
