/**
 * Default values of the stack configuration. Every default is a deliberate choice; the README's
 * configuration reference lists them.
 */
import { AuditRule, EventRateLimit, PodSecurityDefaults, RolloutSettings } from "./types";
import { K3S_PATHS, STRONG_TLS_CIPHER_SUITES } from "../k3s/facts";
import { Benchmark, BenchmarkId } from "../cis/types";
import { CURRENT_BENCHMARK } from "../cis";

/** The profile when neither `benchmark` nor `k3sVersion` is set (see CURRENT_BENCHMARK). */
export const DEFAULT_BENCHMARK: BenchmarkId = CURRENT_BENCHMARK;

/**
 * The guide's audit rules, in order (first match wins). The guide's intent is kept: exec/attach and
 * RBAC changes in full, secret reads as metadata only (never their content), routine reads dropped.
 */
export const DEFAULT_AUDIT_RULES: AuditRule[] = [
  { level: "RequestResponse", resources: [{ group: "", resources: ["pods/exec", "pods/attach", "pods/portforward"] }] },
  // Secret and ConfigMap contents must never reach the log: Metadata for every verb, not only reads.
  { level: "Metadata", resources: [{ group: "", resources: ["secrets", "configmaps"] }] },
  {
    level: "RequestResponse",
    resources: [{ group: "rbac.authorization.k8s.io", resources: ["clusterroles", "clusterrolebindings", "roles", "rolebindings"] }],
  },
  { level: "RequestResponse", verbs: ["delete", "deletecollection"] },
  // Events are written by every component all the time, live an hour and carry no secrets; logged, a burst
  // (EventRateLimit lets 500/s per namespace through) would rotate the real evidence out of the log within
  // minutes. Deleting events (covering tracks) is still logged by the rule above.
  { level: "None", resources: [{ group: "", resources: ["events"] }, { group: "events.k8s.io", resources: ["events"] }] },
  { level: "RequestResponse", verbs: ["create", "update", "patch"], resources: [{ group: "", resources: ["pods"] }] },
  { level: "None", verbs: ["get", "list", "watch"], resources: [{ group: "", resources: ["nodes", "endpoints"] }] },
  { level: "Metadata" },
];

export const DEFAULT_AUDIT = {
  logPath: K3S_PATHS.auditLogFile,
  policyPath: K3S_PATHS.auditPolicyFile,
  // CIS 1.2.19-1.2.21 (k3s-cis-1.7): at least 30 days, 10 files, 100 MB.
  maxAgeDays: 30,
  maxBackups: 10,
  maxSizeMb: 100,
  omitStages: ["RequestReceived"],
} as const;

/** NodeRestriction is k3s's own default; EventRateLimit is an evaluated CIS check in every version. */
export const BASE_ADMISSION_PLUGINS = ["NodeRestriction", "EventRateLimit"];

/**
 * Plugins added when the selected benchmark asks for them and they cost nothing on a typical cluster.
 * DenyServiceExternalIPs: k3s-cis-1.7/1.8 check that it is NOT set, 1.9-1.12 that it is (unscored), so the
 * catalog decides. Where asked for it is on: it only refuses Services with spec.externalIPs (the
 * CVE-2020-8554 interception route), which k3s's own load balancer does not use; a cluster that relies
 * on externalIPs takes it out of `admission.plugins`.
 * AlwaysPullImages is deliberately absent: it breaks nodes that cannot reach their registry.
 */
export const BENCHMARK_DRIVEN_PLUGINS = ["DenyServiceExternalIPs"];

/** The default `enable-admission-plugins` list for a benchmark. */
export function defaultAdmissionPlugins(bench: Benchmark): string[] {
  const wanted = (plugin: string) =>
    bench.controls.some(
      (c) =>
        c.kind === "automated" &&
        c.check.kind === "flag" &&
        c.check.items.some((i) => i.flag === "--enable-admission-plugins" && i.set !== false && i.compare?.op === "has" && i.compare.value === plugin),
    );
  return [...BASE_ADMISSION_PLUGINS, ...BENCHMARK_DRIVEN_PLUGINS.filter(wanted)];
}

export const DEFAULT_POD_SECURITY: PodSecurityDefaults = {
  enforce: "restricted",
  audit: "restricted",
  warn: "restricted",
  version: "latest",
  exemptions: { namespaces: ["kube-system"], usernames: [], runtimeClasses: [] },
};

/** Generous server-wide and per-namespace event limits: they stop floods, not normal operation. */
export const DEFAULT_EVENT_RATE_LIMITS: EventRateLimit[] = [
  { type: "Server", qps: 5000, burst: 20000 },
  { type: "Namespace", qps: 500, burst: 2000, cacheSize: 2000 },
];

export const DEFAULT_KUBELET = {
  /** k3s hardening guide value. */
  streamingConnectionIdleTimeout: "5m",
  /** The kubelet's own default, stated so it appears on the journal line; 0 would mean unlimited. */
  eventQps: 50,
  tlsCipherSuites: [...STRONG_TLS_CIPHER_SUITES],
  /** A generous per-pod PID cap (CIS 4.2.13); fork bombs stop at the pod. */
  podMaxPids: 4096,
  /**
   * Off: RuntimeDefault seccomp for every container that does not choose a profile breaks workloads that
   * need a syscall the runtime's profile blocks (debuggers, some JVM and database tuning, older images).
   * CIS 4.2.14 (1.11+) is unscored; turn it on once the workloads are tested with it.
   */
  seccompDefault: false,
} as const;

/** The Kubernetes default, stated explicitly so kube-bench sees it on the journal line. */
export const DEFAULT_REQUEST_TIMEOUT = "60s";

export const DEFAULT_ROLLOUT: RolloutSettings = {
  agentBatchSize: 1,
  // `systemctl restart k3s` waits for readiness; a cold apiserver with etcd can take minutes.
  healthTimeoutSeconds: 300,
  backupsToKeep: 5,
};

/** The guide's value (the k3s guide uses 10 for 1.25-1.28 and 100 later); CIS only asks for a limit. */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 10;

export const DEFAULT_CLUSTER_NAME = "k3s";

export const DEFAULT_ADMISSION_CONFIG_PATH = K3S_PATHS.admissionConfigFile;
