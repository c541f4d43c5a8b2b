/**
 * External facts the cluster-side capabilities rely on (kube-bench in a pod, the MinIO client, Loki
 * shippers, Pulumi's Kubernetes annotations). Each fact lives here once; the comment says where it
 * comes from. Images are pinned by tag and every one of them can be overridden in the stack config.
 */
import { NodeRole } from "../config/types";
import type { Target } from "../cis/types";

/**
 * Default images.
 * - kubeBench: `rancher/security-scan` v0.9.3 (2026-06-05; kube-bench v0.15.6, kubectl 1.35.5). Its
 *   package/Dockerfile installs the `systemd` package (journalctl), bash, jq, gawk, procps and findutils
 *   on SUSE BCI micro, and lays out kube-bench's upstream `cfg/` under /etc/kube-bench/cfg with Rancher's
 *   profiles copied over it. The stock `aquasec/kube-bench` images have no journalctl, so every k3s
 *   check that reads the `Running kube-apiserver` journal line fails in them.
 * - mc: the MinIO client left Docker Hub; quay.io keeps the pinned release tags, the last being
 *   RELEASE.2025-08-13T08-35-41Z (minio/mc tags). Its image is ubi9-micro + /usr/bin/mc, ENTRYPOINT mc.
 * - alloy: Grafana Alloy v1.18.1 (2026-08-06), the replacement of promtail (EOL 2026-03-02). Its image
 *   runs /bin/alloy; `run <config> --storage.path=...` is the documented start command.
 */
export const DEFAULT_IMAGES = {
  kubeBench: "docker.io/rancher/security-scan:v0.9.3",
  mc: "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z",
  alloy: "docker.io/grafana/alloy:v1.18.1",
} as const;

/**
 * Where kube-bench's configuration lives in the default image. kube-bench checks `--benchmark` against
 * the `target_mapping` of `<config-dir>/config.yaml` BEFORE it merges the benchmark's own config.yaml
 * (cmd/run.go `validTargets`). rancher/security-scan replaces config.yaml with Rancher's, which maps
 * `k3s-cis-1.7-hardened`/`-permissive` and `k3s-cis-1.9` but not upstream's `k3s-cis-1.7`/`k3s-cis-1.8`
 * (their directories are present). The scan script therefore copies the directory to a writable place
 * and adds the missing mapping; Rancher's own profiles differ from upstream's (e.g. 1.2.x
 * DenyServiceExternalIPs has the opposite expectation), and the CIS catalog models upstream's.
 */
export const KUBE_BENCH_CONFIG_DIR = "/etc/kube-bench/cfg";

/**
 * kube-bench targets per node role. The k3s benchmarks map every component binary to `containerd`, so
 * auto-detection finds an "apiserver" on agents too: the targets are always given explicitly.
 */
export const KUBE_BENCH_TARGETS: Record<NodeRole, readonly Target[]> = {
  server: ["master", "etcd", "controlplane", "policies"],
  agent: ["node"],
};

/** How a host path is mounted into the scan pod (always read-only). */
export interface HostMount {
  name: string;
  path: string;
  /** hostPath type: `Directory`/`File` must exist; `DirectoryOrCreate` only where creating it is harmless. */
  type: "Directory" | "DirectoryOrCreate" | "File";
}

/**
 * Host paths the k3s checks read, mounted at the same path in the pod (kube-bench cfg/k3s-cis-1.7..1.9
 * and Rancher's compliance-operator scan pods):
 * - /var/lib/rancher, /etc/rancher: k3s data, TLS, kubeconfigs, config.yaml;
 * - /var/log and /run/log: the persistent and the volatile journal (`journalctl -m -u k3s`). The parent
 *   directories are mounted so that a missing /var/log/journal is never created on the host, which would
 *   switch journald to persistent storage at its next start;
 * - /var/lib/cni: CNI network files (1.1.9/1.1.10), created empty if the CNI never wrote there;
 * - /etc/systemd: the k3s units;
 * - /etc/passwd, /etc/group: so that `stat -c %U:%G` resolves the host's user and group names.
 */
export const SCAN_HOST_MOUNTS: readonly HostMount[] = [
  { name: "var-lib-rancher", path: "/var/lib/rancher", type: "Directory" },
  { name: "etc-rancher", path: "/etc/rancher", type: "Directory" },
  { name: "var-log", path: "/var/log", type: "Directory" },
  { name: "run-log", path: "/run/log", type: "DirectoryOrCreate" },
  { name: "var-lib-cni", path: "/var/lib/cni", type: "DirectoryOrCreate" },
  { name: "etc-systemd", path: "/etc/systemd", type: "Directory" },
  { name: "etc-passwd", path: "/etc/passwd", type: "File" },
  { name: "etc-group", path: "/etc/group", type: "File" },
];

/**
 * Evidence layout: `<bucket>/<prefix>/<cluster>/<node>/<UTC timestamp>-<pod name>.json` (the pod name makes every key unique: a second version of a key means an overwrite). The report command
 * (report/load.ts) reads this layout, with `kube-bench/` as its default prefix and
 * `20261122T020000Z` (date -u +%Y%m%dT%H%M%SZ) as the compact timestamp.
 */
export const EVIDENCE_PREFIX = "kube-bench";
export const REPORT_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ";

/**
 * The MinIO client reads aliases from a file named by MC_CONFIG_ENV_FILE, one `MC_HOST_<alias>=<url>`
 * per line, where the URL is `https://<access key>:<secret key>@<host>:<port>` (minio/mc cmd/config.go
 * `readAliasesFromFile`, `parseEnvURLStr`; the access key ends at the first ':', the secret key at the
 * last '@', and neither is URL-decoded). The credentials therefore travel as a mounted Secret file:
 * never in args, never as environment values.
 */
export const MC = {
  configEnvFileVariable: "MC_CONFIG_ENV_FILE",
  hostVariablePrefix: "MC_HOST_",
  alias: "evidence",
  /** mc writes its config, share and CAs directories under --config-dir at start (cmd/main.go initMC). */
  configDir: "/tmp/mc",
  /** `mc cp --retention-mode/--retention-duration` (cmd/cp-main.go); durations like `400d`. */
  retentionModeFlag: "--retention-mode",
  retentionDurationFlag: "--retention-duration",
} as const;

/** Annotations that pulumi-kubernetes reads (docs/annotations, provider await logic). */
export const PULUMI_ANNOTATIONS = {
  /** "true": do not wait for readiness (Job completion). */
  skipAwait: "pulumi.com/skipAwait",
  /** Seconds to wait for readiness. */
  timeoutSeconds: "pulumi.com/timeoutSeconds",
  /** "true": a Job that is not complete (failed, or still running) at the next diff is replaced (Jobs only). */
  replaceUnready: "pulumi.com/replaceUnready",
  /** "true": a Patch resource takes over fields another field manager owns. */
  patchForce: "pulumi.com/patchForce",
} as const;

/**
 * Where the scan pods may connect (their egress NetworkPolicy): cluster DNS (k3s's CoreDNS in kube-system,
 * label k8s-app=kube-dns), the API server on the servers' supervisor port and through the `kubernetes`
 * Service (the first address of the service range, k3s default 10.43.0.0/16), and the evidence store.
 */
export const SCAN_EGRESS = {
  dns: { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, port: 53 },
  apiServerPort: 6443,
  kubernetesServicePort: 443,
  defaultServiceCidr: "10.43.0.0/16",
  /** The namespace label the API server sets on every namespace. */
  namespaceNameLabel: "kubernetes.io/metadata.name",
} as const;

/** Pod Security Admission namespace labels. */
export const POD_SECURITY_LABELS = {
  enforce: "pod-security.kubernetes.io/enforce",
  enforceVersion: "pod-security.kubernetes.io/enforce-version",
  audit: "pod-security.kubernetes.io/audit",
  warn: "pod-security.kubernetes.io/warn",
} as const;

/** Well-known node labels; k3s sets control-plane=true on servers. */
export const NODE_LABELS = {
  hostname: "kubernetes.io/hostname",
  controlPlane: "node-role.kubernetes.io/control-plane",
} as const;

/** This project's own label and annotation keys. */
export const PROJECT_KEYS = {
  partOf: "k3s-cis-hardening",
  node: "k3s-hardening/node",
  hardeningDigest: "k3s-hardening/hardening-digest",
  benchmark: "k3s-hardening/benchmark",
  configDigest: "k3s-hardening/config-sha256",
  checkFilesDigest: "k3s-hardening/check-files-sha256",
} as const;

/**
 * Kubernetes API audit events (audit.k8s.io/v1 Event) and how they are indexed in Loki.
 * - `job="k8s_audit"` is the guide's stream label, so its LogQL query keeps working.
 * - Labels stay low-cardinality: verb, resource and namespace only. `user.username` is unbounded (every
 *   ServiceAccount and node is a user), so it and the response code travel as structured metadata
 *   (Loki 3.x, schema v13; promtail and Alloy both have a structured_metadata stage).
 * - The JSON paths are JMESPath expressions (promtail `json` stage, Alloy `stage.json`).
 */
export const AUDIT_LOG = {
  jobLabel: "k8s_audit",
  /** Extracted name -> JMESPath into the audit event. */
  fields: {
    verb: "verb",
    resource: "objectRef.resource",
    namespace: "objectRef.namespace",
    user: "user.username",
    code: "responseStatus.code",
    ts: "stageTimestamp",
  },
  labels: ["verb", "resource", "namespace"],
  structuredMetadata: ["user", "code"],
  /** stageTimestamp is RFC 3339 with microseconds. */
  timestampFormat: "RFC3339Nano",
} as const;

/** Grafana Alloy in the shipper DaemonSet (docs/sources/reference/cli/run.md, the image's CMD). */
export const ALLOY = {
  configDir: "/etc/alloy",
  configFile: "config.alloy",
  /** Positions of the tailed files; kept on the host so that a restarted pod resumes where it stopped. */
  storagePath: "/var/lib/alloy/data",
  hostStoragePath: "/var/lib/k3s-audit-shipper",
  listenAddress: "127.0.0.1:12345",
} as const;
