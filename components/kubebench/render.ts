/**
 * kube-bench in the cluster as plain Kubernetes objects: a privileged namespace, a ServiceAccount with
 * read-only RBAC for the policy checks, one scan Job per node for `pulumi up`, and one CronJob per node
 * for the recurring scans whose reports go to the evidence bucket. Pure functions of the validated
 * configuration; the KubeBench component and the render command both call them.
 */
import type { Container, PodSpec, PodTemplateSpec, SecurityContext, Volume, VolumeMount } from "kubernetes-types/core/v1";
import { CapabilitiesConfig } from "../config/capabilities";
import { NodeSpec, StackConfig } from "../config/types";
import { nodeReportPrefix } from "../evidence/render";
import { shq } from "../node/script";
import type { VerifiedCheckFiles } from "../cis/checkFiles";
import { isIP } from "node:net";
import { KUBE_BENCH_TARGETS, MC, NODE_LABELS, PROJECT_KEYS, PULUMI_ANNOTATIONS, REPORT_TIMESTAMP_FORMAT, SCAN_EGRESS, SCAN_HOST_MOUNTS } from "./facts";
import {
  boundedName,
  shortDigest,
  ClusterRole,
  ClusterRoleBinding,
  ClusterSideObject,
  ConfigMap,
  CronJob,
  Job,
  Namespace,
  NetworkPolicy,
  renderDenyIngressPolicy,
  renderNamespace,
  resourceRequirements,
  Secret,
  ServiceAccount,
  standardLabels,
} from "./objects";

export const KUBE_BENCH_NAME = "kube-bench";
/** The Secret holding the uploader's MinIO alias line (key UPLOADER_SECRET_KEY). */
export const UPLOADER_SECRET_NAME = "kube-bench-uploader";
export const UPLOADER_SECRET_KEY = "mc-hosts.env";
/** What the render command writes instead of the uploader's credentials. */
export const UPLOADER_SECRET_PLACEHOLDER = "<secret: MC_HOST_evidence=https://<access key>:<secret key>@<endpoint host>, written by pulumi up>";

const REPORTS_DIR = "/reports";
/** Where the profile's pinned check files (the ConfigMap) are mounted in the scan container. */
const CHECK_FILES_DIR = "/etc/kube-bench-checks";
const SECRET_MOUNT = "/etc/kube-bench-uploader";
/** The uploader runs as an unprivileged user; fsGroup lets it read the Secret file (mode 0440). */
const UPLOADER_UID = 65532;

/**
 * Names of the per-node objects. Jobs fit a 63-character label value, CronJobs 52 characters. A scan Job's
 * name ends with a digest of its spec (`specDigest`): a changed scan is a new Job, created before the old
 * one is deleted. Under the same name the create could meet the old Job still being deleted (its Pods
 * first), which fails with a field-manager conflict when the delete is not awaited (`kubeBench.await: false`).
 */
export function scanJobName(node: string, specDigest: string): string {
  const suffix = `-${specDigest.slice(0, 8)}`;
  return `${boundedName("kube-bench-", node, 63 - suffix.length)}${suffix}`;
}

export function scanCronJobName(node: string): string {
  return boundedName("kube-bench-cron-", node, 52);
}

/** The verified check files of the selected profile; the cluster side is never rendered without them. */
function checkFilesOf(caps: CapabilitiesConfig): VerifiedCheckFiles {
  const files = caps.kubeBench.checkFiles;
  if (!files) throw new Error("kube-bench: kubeBench.checkFiles was not validated; the scans would run the image's own check files");
  return files;
}

/**
 * The ConfigMap holding the profile's check files. Its name ends in a digest of the files and it is
 * immutable: other files are a new ConfigMap, and the scan pods that mount it change with it.
 */
export function checkFilesConfigMapName(files: VerifiedCheckFiles): string {
  return `kube-bench-checks-${files.benchmark.replace(/\./g, "-")}-${files.digest.slice(0, 8)}`;
}

export function renderCheckFilesConfigMap(caps: CapabilitiesConfig): ConfigMap {
  const files = checkFilesOf(caps);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: checkFilesConfigMapName(files),
      namespace: caps.kubeBench.namespace,
      labels: standardLabels(KUBE_BENCH_NAME, "scan"),
      annotations: { [PROJECT_KEYS.benchmark]: files.benchmark, [PROJECT_KEYS.checkFilesDigest]: files.digest },
    },
    immutable: true,
    data: { ...files.files },
  };
}

/** Whether scans upload their report (evidence configured). */
function uploads(caps: CapabilitiesConfig): boolean {
  return caps.evidence.enabled;
}

/**
 * The scan container's script: copy kube-bench's cfg to a writable place, replace the profile's folder by
 * the pinned check files, add the benchmark's target mapping when the image's config.yaml lacks it (see
 * facts.ts), run the node's targets with `--json`
 * into `/reports/<UTC timestamp>-<pod name>.json` (a key no other upload uses), and fail when the report holds no controls.
 */
export function renderScanScript(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec): string {
  const targets = KUBE_BENCH_TARGETS[node.role].join(",");
  return [
    "set -euo pipefail",
    `bench=${shq(cfg.profile.benchmark)}`,
    `src=${shq(caps.kubeBench.configDir)}`,
    "cfg=/tmp/kube-bench-cfg",
    `mkdir -p "$cfg" ${REPORTS_DIR}`,
    'cp -R "$src/." "$cfg/"',
    "# The profile's pinned check files replace the image's copy, so the scan runs what the prediction uses.",
    `rm -rf "$cfg/$bench" && mkdir -p "$cfg/$bench" && cp ${CHECK_FILES_DIR}/*.yaml "$cfg/$bench/"`,
    'if [ ! -d "$cfg/$bench" ]; then',
    '  echo "kube-bench: the image has no benchmark $bench under $src" >&2',
    "  exit 2",
    "fi",
    "# kube-bench checks --benchmark against config.yaml's target_mapping before it merges the",
    "# benchmark's own config; an image that ships its own config.yaml may lack the upstream entry.",
    "mapping=$(sed -n '/^target_mapping:/,/^[^[:space:]#]/p' \"$cfg/config.yaml\")",
    'if ! grep -Fq "  \\"$bench\\":" <<<"$mapping" && ! grep -Fq "  $bench:" <<<"$mapping"; then',
    '  printf \'  "%s":\\n\' "$bench" > /tmp/target-mapping.yaml',
    '  for f in "$cfg/$bench"/*.yaml; do',
    '    t=$(basename "$f" .yaml)',
    '    if [ "$t" != config ]; then printf \'    - "%s"\\n\' "$t" >> /tmp/target-mapping.yaml; fi',
    "  done",
    '  sed -i "/^target_mapping:[[:space:]]*\\$/r /tmp/target-mapping.yaml" "$cfg/config.yaml"',
    "fi",
    `report="${REPORTS_DIR}/$(date -u +${REPORT_TIMESTAMP_FORMAT})-${"${HOSTNAME}"}.json"`,
    `kube-bench run --config-dir "$cfg" --benchmark "$bench" --targets ${targets} --json --outputfile "$report"`,
    "# A report without controls is a failed scan, never evidence.",
    'jq -e \'(.Controls | length) > 0\' "$report" > /dev/null',
    'chmod 0644 "$report"',
    'cat "$report"',
    "",
  ].join("\n");
}

/**
 * Root (k3s's files and the journal are root's, mode 0600/0640; as their owner root reads them without
 * any capability), every capability dropped, host paths read-only. On SELinux hosts the container
 * type spc_t lets it read k3s's files and the journal, which the confined container_t may not; other
 * hosts ignore it. `privileged` (Rancher's choice) is opt-in for hosts whose confinement still blocks
 * reads: the policy pack's cis-pod-privileged (mandatory) then needs an exemption for the namespace.
 */
function scanSecurityContext(privileged: boolean): SecurityContext {
  if (privileged) return { privileged: true, runAsUser: 0, readOnlyRootFilesystem: true };
  return {
    runAsUser: 0,
    runAsGroup: 0,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
    seLinuxOptions: { type: "spc_t" },
  };
}

function scanContainer(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec): Container {
  const mounts: VolumeMount[] = SCAN_HOST_MOUNTS.map((m) => ({ name: m.name, mountPath: m.path, readOnly: true }));
  mounts.push({ name: "reports", mountPath: REPORTS_DIR }, { name: "tmp", mountPath: "/tmp" }, { name: "check-files", mountPath: CHECK_FILES_DIR, readOnly: true });
  return {
    name: "kube-bench",
    image: caps.kubeBench.image,
    command: ["/bin/bash", "-c", renderScanScript(cfg, caps, node)],
    env: [{ name: "HOME", value: "/tmp" }],
    resources: resourceRequirements(caps.kubeBench.resources),
    securityContext: scanSecurityContext(caps.kubeBench.privileged),
    volumeMounts: mounts,
  };
}

/** The MinIO client copying the report to `<bucket>/kube-bench/<cluster>/<node>/`; any error fails the pod. */
function uploadContainer(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec): Container {
  const ev = caps.evidence;
  const retention = ev.lockMode === "off" ? [] : [MC.retentionModeFlag, ev.lockMode.toUpperCase(), MC.retentionDurationFlag, `${ev.retentionDays}d`];
  return {
    name: "upload",
    image: caps.kubeBench.uploader.image,
    args: [
      "--config-dir",
      MC.configDir,
      "--quiet",
      "cp",
      "--recursive",
      ...retention,
      `${REPORTS_DIR}/`,
      `${MC.alias}/${ev.bucket}/${nodeReportPrefix(cfg.cluster, node.name)}`,
    ],
    // A path, not a credential: the file itself comes from the uploader Secret.
    env: [{ name: MC.configEnvFileVariable, value: `${SECRET_MOUNT}/${UPLOADER_SECRET_KEY}` }],
    resources: resourceRequirements(caps.kubeBench.uploader.resources),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: UPLOADER_UID,
      runAsGroup: UPLOADER_UID,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumeMounts: [
      { name: "reports", mountPath: REPORTS_DIR, readOnly: true },
      { name: "mc-config", mountPath: MC.configDir },
      { name: "uploader-credentials", mountPath: SECRET_MOUNT, readOnly: true },
    ],
  };
}

/** The scan pod for one node: scan (then upload, when evidence is configured). */
export function renderScanPodSpec(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec): PodSpec {
  const volumes: Volume[] = SCAN_HOST_MOUNTS.map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.type } }));
  volumes.push(
    { name: "reports", emptyDir: { sizeLimit: "64Mi" } },
    { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
    { name: "check-files", configMap: { name: checkFilesConfigMapName(checkFilesOf(caps)), defaultMode: 0o444 } },
  );
  const spec: PodSpec = {
    serviceAccountName: KUBE_BENCH_NAME,
    // The policy checks call the API with this ServiceAccount's (projected, short-lived) token.
    automountServiceAccountToken: true,
    hostPID: true,
    restartPolicy: "Never",
    nodeSelector: { [NODE_LABELS.hostname]: node.name },
    // The scan belongs on its node whatever taints it carries (control-plane, CriticalAddonsOnly, cordon).
    tolerations: [{ operator: "Exists" }],
    containers: [scanContainer(cfg, caps, node)],
    volumes,
  };
  if (!uploads(caps)) return spec;
  // The scan runs first (init container); the upload starts only when it succeeded.
  volumes.push(
    { name: "mc-config", emptyDir: { sizeLimit: "16Mi" } },
    { name: "uploader-credentials", secret: { secretName: UPLOADER_SECRET_NAME, defaultMode: 0o440, items: [{ key: UPLOADER_SECRET_KEY, path: UPLOADER_SECRET_KEY }] } },
  );
  const { containers, ...rest } = spec;
  return { ...rest, securityContext: { fsGroup: UPLOADER_UID }, initContainers: containers, containers: [uploadContainer(cfg, caps, node)], volumes };
}

function podTemplate(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec, annotations: Record<string, string>): PodTemplateSpec {
  return {
    metadata: { labels: { ...standardLabels(KUBE_BENCH_NAME, "scan"), [PROJECT_KEYS.node]: node.name }, annotations },
    spec: renderScanPodSpec(cfg, caps, node),
  };
}

/**
 * The deploy-time scan of one node. Its pod template carries the node's hardening digest and the
 * benchmark: when either changes the template changes, and pulumi-kubernetes replaces a Job whose
 * template changed, so the scan runs again.
 */
export function renderScanJob(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec, hardeningDigest: string): Job {
  const kb = caps.kubeBench;
  // replaceUnready replaces a Job that is not complete at the next diff. Only with the await: a scan that
  // Pulumi did not wait for may still be running then, and would be restarted by every `up`.
  const annotations: Record<string, string> = kb.await
    ? { [PULUMI_ANNOTATIONS.replaceUnready]: "true", [PULUMI_ANNOTATIONS.timeoutSeconds]: String(kb.awaitTimeoutSeconds) }
    : { [PULUMI_ANNOTATIONS.skipAwait]: "true" };
  const spec: NonNullable<Job["spec"]> = {
    backoffLimit: 0,
    activeDeadlineSeconds: kb.activeDeadlineSeconds,
    ttlSecondsAfterFinished: kb.ttlSecondsAfterFinished,
    template: podTemplate(cfg, caps, node, {
      [PROJECT_KEYS.hardeningDigest]: hardeningDigest,
      [PROJECT_KEYS.benchmark]: cfg.profile.benchmark,
    }),
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: scanJobName(node.name, shortDigest(JSON.stringify(spec))),
      namespace: kb.namespace,
      labels: { ...standardLabels(KUBE_BENCH_NAME, "scan"), [PROJECT_KEYS.node]: node.name },
      annotations,
    },
    spec,
  };
}

/** The recurring scan of one node (a CronJob runs one pod on one node, so there is one per node). */
export function renderScanCronJob(cfg: StackConfig, caps: CapabilitiesConfig, node: NodeSpec): CronJob {
  const kb = caps.kubeBench;
  const labels = { ...standardLabels(KUBE_BENCH_NAME, "scheduled-scan"), [PROJECT_KEYS.node]: node.name };
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: scanCronJobName(node.name), namespace: kb.namespace, labels },
    spec: {
      schedule: kb.schedule,
      timeZone: kb.timeZone,
      concurrencyPolicy: "Forbid",
      // A run missed by up to an hour (controller restart) still happens.
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: kb.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: kb.failedJobsHistoryLimit,
      jobTemplate: {
        metadata: { labels },
        spec: {
          // One retry for a transient error (MinIO briefly unreachable); then the Job is Failed.
          backoffLimit: 1,
          activeDeadlineSeconds: kb.activeDeadlineSeconds,
          template: podTemplate(cfg, caps, node, { [PROJECT_KEYS.benchmark]: cfg.profile.benchmark }),
        },
      },
    },
  };
}

/** The Secret the uploader reads its MinIO alias from; `hostLine` is renderMcHostLine(...) or a placeholder. */
export function renderUploaderSecret(caps: CapabilitiesConfig, hostLine: string): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: UPLOADER_SECRET_NAME, namespace: caps.kubeBench.namespace, labels: standardLabels(UPLOADER_SECRET_NAME, "evidence-uploader") },
    type: "Opaque",
    stringData: { [UPLOADER_SECRET_KEY]: hostLine },
  };
}

/** The first address of an IPv4 CIDR (the `kubernetes` Service's ClusterIP); undefined for anything else. */
function firstAddress(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) return undefined;
  const n = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const bits = Number(m[5]);
  const base = bits === 0 ? 0 : (n & (0xffffffff << (32 - bits))) >>> 0;
  const first = base + 1;
  return [first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join(".");
}

/** A single-address ipBlock for an IP, IPv4 or IPv6. */
function hostBlock(ip: string): { cidr: string } {
  return { cidr: isIP(ip) === 6 ? `${ip}/128` : `${ip}/32` };
}

/** Addresses the servers' API servers listen on: their IP hosts, `node-ip` and `advertise-address`. */
function serverAddresses(cfg: StackConfig): string[] {
  const out = new Set<string>();
  for (const n of cfg.nodes.filter((x) => x.role === "server")) {
    if (isIP(n.host)) out.add(n.host);
    for (const key of ["node-ip", "advertise-address"]) {
      const v = n.k3sSettings[key];
      const list = Array.isArray(v) ? v : typeof v === "string" ? v.split(",") : [];
      for (const ip of list.map((x) => x.trim())) if (isIP(ip)) out.add(ip);
    }
  }
  return [...out].sort();
}

/**
 * Egress of the scan pods (root, with the servers' /var/lib/rancher mounted): DNS, the API server and,
 * with evidence on, the evidence store; nothing else. NetworkPolicies select addresses, not names: the
 * API server is reached at the servers' addresses on 6443 (after the Service's DNAT) or, when no server
 * address is an IP, at any address on 6443 only; a store named by DNS is allowed on its port only.
 */
export function renderScanEgressPolicy(cfg: StackConfig, caps: CapabilitiesConfig): NetworkPolicy {
  const ns = caps.kubeBench.namespace;
  const servers = serverAddresses(cfg);
  const anywhere = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }];
  const serviceCidr = cfg.nodes.map((n) => n.k3sSettings["service-cidr"]).find((v) => typeof v === "string") as string | undefined;
  const serviceIp = firstAddress((serviceCidr ?? SCAN_EGRESS.defaultServiceCidr).split(",")[0]);
  const egress: NonNullable<NetworkPolicy["spec"]>["egress"] = [
    {
      to: [{ namespaceSelector: { matchLabels: { [SCAN_EGRESS.namespaceNameLabel]: SCAN_EGRESS.dns.namespace } }, podSelector: { matchLabels: { ...SCAN_EGRESS.dns.podLabels } } }],
      ports: [
        { protocol: "UDP", port: SCAN_EGRESS.dns.port },
        { protocol: "TCP", port: SCAN_EGRESS.dns.port },
      ],
    },
    { to: servers.length > 0 ? servers.map((ip) => ({ ipBlock: hostBlock(ip) })) : anywhere, ports: [{ protocol: "TCP", port: SCAN_EGRESS.apiServerPort }] },
  ];
  if (serviceIp) egress.push({ to: [{ ipBlock: hostBlock(serviceIp) }], ports: [{ protocol: "TCP", port: SCAN_EGRESS.kubernetesServicePort }] });
  if (uploads(caps)) {
    const url = new URL(caps.evidence.endpoint);
    const port = Number(url.port || (url.protocol === "http:" ? 80 : 443));
    const host = url.hostname.replace(/^\[|\]$/g, "");
    egress.push({ to: isIP(host) ? [{ ipBlock: hostBlock(host) }] : anywhere, ports: [{ protocol: "TCP", port }] });
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "scan-egress", namespace: ns, labels: standardLabels("scan-egress", "scan") },
    spec: { podSelector: {}, policyTypes: ["Egress"], egress },
  };
}

export interface KubeBenchBaseObjects {
  namespace: Namespace;
  networkPolicy: NetworkPolicy;
  serviceAccount: ServiceAccount;
  clusterRole: ClusterRole;
  clusterRoleBinding: ClusterRoleBinding;
}

/**
 * The scanner's namespace (Pod Security `privileged`: hostPID, hostPath and a privileged container),
 * its ServiceAccount, and the read-only access the policy checks (section 5) use: RBAC objects,
 * ServiceAccounts, pods, namespaces, nodes and NetworkPolicies; no Secrets, no wildcards, no writes.
 */
export function renderKubeBenchBase(caps: CapabilitiesConfig): KubeBenchBaseObjects {
  const ns = caps.kubeBench.namespace;
  const roleName = `${KUBE_BENCH_NAME}-read-only`;
  return {
    namespace: renderNamespace(ns, "privileged", "scan"),
    networkPolicy: renderDenyIngressPolicy(ns, "scan"),
    serviceAccount: {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: KUBE_BENCH_NAME, namespace: ns, labels: standardLabels(KUBE_BENCH_NAME, "scan") },
    },
    clusterRole: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: roleName, labels: standardLabels(roleName, "scan") },
      rules: [
        { apiGroups: [""], resources: ["namespaces", "nodes", "pods", "serviceaccounts"], verbs: ["get", "list"] },
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings", "roles", "rolebindings"], verbs: ["get", "list"] },
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list"] },
      ],
    },
    clusterRoleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: roleName, labels: standardLabels(roleName, "scan") },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
      subjects: [{ kind: "ServiceAccount", name: KUBE_BENCH_NAME, namespace: ns }],
    },
  };
}

/** The nodes scanned, in stack order. */
export function scannedNodes(cfg: StackConfig, caps: CapabilitiesConfig): NodeSpec[] {
  return cfg.nodes.filter((n) => caps.kubeBench.nodes.includes(n.name));
}

/**
 * Every kube-bench object for review (render command): `digests` maps node names to their hardening
 * digest; the uploader Secret carries a placeholder.
 */
export function renderKubeBenchObjects(cfg: StackConfig, caps: CapabilitiesConfig, digests: Readonly<Record<string, string>>): ClusterSideObject[] {
  if (!caps.kubeBench.enabled) return [];
  const base = renderKubeBenchBase(caps);
  const out: ClusterSideObject[] = [
    base.namespace,
    base.networkPolicy,
    renderScanEgressPolicy(cfg, caps),
    base.serviceAccount,
    base.clusterRole,
    base.clusterRoleBinding,
    renderCheckFilesConfigMap(caps),
  ];
  if (uploads(caps)) out.push(renderUploaderSecret(caps, UPLOADER_SECRET_PLACEHOLDER));
  for (const node of scannedNodes(cfg, caps)) {
    if (caps.kubeBench.scanOnDeploy) {
      const digest = digests[node.name];
      if (digest === undefined) throw new Error(`kube-bench: no hardening digest for node ${node.name}`);
      out.push(renderScanJob(cfg, caps, node, digest));
    }
    out.push(renderScanCronJob(cfg, caps, node));
  }
  return out;
}
