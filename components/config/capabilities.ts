/**
 * The cluster-side capabilities' configuration: kube-bench scans, the MinIO evidence bucket, audit log
 * shipping to Loki, the default ServiceAccount lockdown, and how the program reaches the cluster.
 * `validateCapabilities` runs right after validateStackConfig and, like it, lists every problem with
 * the key and the fix before any resource exists.
 */
import { isIP } from "node:net";
import * as path from "node:path";
import { getBenchmark } from "../cis";
import { VerifiedCheckFiles, loadProfileCheckFiles } from "../cis/checkFiles";
import { cronScheduleProblem } from "../kubebench/cron";
import { DEFAULT_IMAGES, KUBE_BENCH_CONFIG_DIR } from "../kubebench/facts";
import { SecretValue, StackConfig } from "./types";
import { ConfigError, describe, DNS_LABEL, RawStackConfig, Reader as BaseReader } from "./reader";

/** CPU and memory for one container (Kubernetes quantities). */
export interface ContainerResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** How the program reaches the cluster. Without kubeconfig/context/renderYamlToDirectory the default provider is used. */
export interface KubernetesAccessSettings {
  /** Create the cluster-side resources at all (false: the stack only hardens nodes). */
  enabled: boolean;
  /** kubeconfig contents (a secret). Unset: the standard `kubernetes:kubeconfig` config, KUBECONFIG or ~/.kube/config. */
  kubeconfig?: SecretValue;
  /** kubeconfig context to use. */
  context?: string;
  /** Write the manifests to this directory instead of applying them (pulumi-kubernetes renderYamlToDirectory). */
  renderYamlToDirectory?: string;
}

export interface KubeBenchSettings {
  enabled: boolean;
  /** Namespace of the scanner; created, labelled Pod Security `privileged`. */
  namespace: string;
  /** Scanner image; must contain kube-bench, its cfg directory, journalctl, bash, jq and kubectl. */
  image: string;
  /** kube-bench's cfg directory inside the image. */
  configDir: string;
  /** Run the scan container privileged (off: root without capabilities, SELinux type spc_t). */
  privileged: boolean;
  /** Nodes scanned (default every node of the stack). */
  nodes: string[];
  /** Run one scan Job per node on `pulumi up` (re-run when the node's hardening or the benchmark changes). */
  scanOnDeploy: boolean;
  /** Wait for the scan Jobs to complete during `pulumi up`. */
  await: boolean;
  awaitTimeoutSeconds: number;
  /** Finished deploy-time Jobs are deleted after this many seconds. */
  ttlSecondsAfterFinished: number;
  /** A scan pod (scan + upload) is stopped after this many seconds. */
  activeDeadlineSeconds: number;
  /** Cron schedule of the recurring scans (one CronJob per node). */
  schedule: string;
  /** IANA time zone of the schedule. */
  timeZone: string;
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
  resources: ContainerResources;
  /** The uploader container (MinIO client) used when evidence is enabled. */
  uploader: { image: string; resources: ContainerResources };
  /**
   * The selected profile's check files (`kubeBench.checkFiles`), read and verified against the catalog's
   * digests; shipped as a ConfigMap that replaces the image's copy of the profile. Absent only when the
   * cluster side is off.
   */
  checkFiles?: VerifiedCheckFiles;
}

export type LockMode = "governance" | "compliance" | "off";

export interface EvidenceSettings {
  /** On when the `evidence` key is set, unless `enabled: false`. */
  enabled: boolean;
  bucket: string;
  /** URL the uploader pods reach MinIO at, e.g. https://minio.example.internal:9000 (no path). */
  endpoint: string;
  /** Create the bucket with object locking (only possible at creation). */
  objectLocking: boolean;
  /** Retention each uploaded report gets (needs objectLocking); `off` uploads without retention. */
  lockMode: LockMode;
  /** Reports expire after this many days (and stay locked that long). */
  retentionDays: number;
  /** MinIO IAM user (its access key) the uploader authenticates as. */
  uploaderUser: string;
  /** Keep the bucket (and its versioning and expiry rules) when the stack is destroyed. */
  keepOnDestroy: boolean;
}

export interface AuditShippingSettings {
  /** On when the `auditShipping` key is set, unless `enabled: false`. */
  enabled: boolean;
  /** Namespace of the promtail/Alloy ConfigMaps (and of the shipper); for an existing promtail, its namespace. */
  namespace: string;
  /** Create that namespace (false: it exists already, e.g. where promtail runs). */
  createNamespace: boolean;
  /** Loki push URL, e.g. http://loki-gateway.monitoring.svc/loki/api/v1/push. */
  lokiUrl: string;
  /** Loki tenant (X-Scope-OrgID), for multi-tenant Loki. */
  tenantId?: string;
  /** Optional Alloy DaemonSet on the server nodes that ships the audit log itself. */
  shipper: { enabled: boolean; image: string; resources: ContainerResources };
}

export interface ServiceAccountSettings {
  enabled: boolean;
  /** Namespaces whose `default` ServiceAccount is patched (the namespaces this stack creates are added). */
  namespaces: string[];
  /** Also patch every namespace that exists at deploy time (read from the cluster when reachable). */
  discover: boolean;
  /** Namespaces never patched, even when configured or discovered. */
  exclude: string[];
}

export interface CapabilitiesConfig {
  kubernetes: KubernetesAccessSettings;
  kubeBench: KubeBenchSettings;
  evidence: EvidenceSettings;
  auditShipping: AuditShippingSettings;
  serviceAccounts: ServiceAccountSettings;
  /** Warnings to show (not errors). */
  warnings: string[];
}

/** Defaults; the README's configuration reference lists them. */
export const CAPABILITY_DEFAULTS = {
  kubeBench: {
    namespace: "kube-bench",
    scanOnDeploy: true,
    await: true,
    awaitTimeoutSeconds: 900,
    ttlSecondsAfterFinished: 86400,
    activeDeadlineSeconds: 900,
    // Sundays 02:00, the guide's schedule.
    schedule: "0 2 * * 0",
    timeZone: "Etc/UTC",
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 3,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    uploaderResources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
  },
  // COMPLIANCE: nobody, the uploader and the bucket's admin included, can shorten or remove a report's
  // retention. GOVERNANCE lets any user with s3:BypassGovernanceRetention do both: an explicit opt-in.
  evidence: { objectLocking: true, lockMode: "compliance" as LockMode, retentionDays: 400, keepOnDestroy: true },
  auditShipping: {
    namespace: "k8s-audit",
    createNamespace: true,
    shipperResources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  },
  serviceAccounts: {
    // The k3s guide's 5.1.5 namespaces plus kube-system; discovery adds the rest.
    namespaces: ["default", "kube-system", "kube-public", "kube-node-lease"],
    discover: true,
  },
} as const;

const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
/** registry/repository:tag or @sha256:digest; a tag or digest is required. */
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
const IAM_USER = /^[A-Za-z0-9_.-]{3,128}$/;

/** The capabilities' reader: the shared one, plus names, images, quantities and URLs. */
class Reader extends BaseReader {
  nameList(key: string, v: unknown, def: readonly string[], what: string): string[] {
    if (v === undefined || v === null) return [...def];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.problem(key, `must be a list of ${what}s, got ${describe(v)}`);
      return [...def];
    }
    (v as string[]).forEach((name, i) => {
      if (!DNS_LABEL.test(name)) this.problem(`${key}[${i}]`, `${JSON.stringify(name)} is not a valid ${what} (lower-case letters, digits and '-', at most 63)`);
    });
    return [...new Set(v as string[])];
  }

  image(key: string, v: unknown, def: string): string {
    const image = this.str(key, v, def);
    if (!IMAGE.test(image) || !(/:[^/]+$/.test(image) || image.includes("@sha256:"))) {
      this.problem(key, `${JSON.stringify(image)} is not a pinned image; write registry/repository:tag or @sha256:<digest>, e.g. ${def}`);
    } else if (/:latest(@|$)/.test(image)) {
      this.problem(key, `${JSON.stringify(image)} uses the moving tag latest; pin a release tag, e.g. ${def}`);
    }
    return image;
  }

  resources(key: string, v: unknown, def: ContainerResources): ContainerResources {
    const o = this.object(key, v);
    this.unknownKeys(key, o, ["requests", "limits"]);
    const read = (part: "requests" | "limits") => {
      const po = this.object(`${key}.${part}`, o[part]);
      this.unknownKeys(`${key}.${part}`, po, ["cpu", "memory"]);
      const q = (res: "cpu" | "memory") => {
        const raw = po[res];
        const text = typeof raw === "number" ? String(raw) : raw;
        const s = this.str(`${key}.${part}.${res}`, text, def[part][res]);
        if (!QUANTITY.test(s)) this.problem(`${key}.${part}.${res}`, `${JSON.stringify(s)} is not a Kubernetes quantity such as ${def[part][res]}`);
        return s;
      };
      return { cpu: q("cpu"), memory: q("memory") };
    };
    return { requests: read("requests"), limits: read("limits") };
  }

  /** An http(s) URL; `path` says whether a path is allowed. */
  url(key: string, v: unknown, example: string, path: boolean): string {
    const s = this.str(key, v, undefined, `e.g. ${example}`);
    if (s === "") return s;
    let u: URL | undefined;
    try {
      u = new URL(s);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== "https:" && u.protocol !== "http:")) {
      this.problem(key, `${JSON.stringify(s)} is not an http(s) URL; write e.g. ${example}`);
    } else if (u.username || u.password) {
      this.problem(key, "must not carry credentials; they come from the uploader's Secret");
    } else if (u.search || u.hash || (!path && u.pathname !== "/")) {
      this.problem(key, `${JSON.stringify(s)} must be ${path ? "a URL without query or fragment" : "scheme://host[:port] without a path"}, e.g. ${example}`);
    }
    return path ? s : s.replace(/\/+$/, "");
  }
}

/**
 * S3/MinIO bucket naming rules: 3-63 characters, lower-case letters, digits, '.' and '-', starting and
 * ending with a letter or digit, no '..', not shaped like an IP address, no reserved prefix/suffix.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long, got ${name.length}`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return "may hold only lower-case letters, digits, '.' and '-', and must start and end with a letter or digit";
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return "must not contain '..', '.-' or '-.'";
  if (isIP(name) !== 0) return "must not be formatted as an IP address";
  if (name.startsWith("xn--") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) return "uses a reserved prefix or suffix (xn--, -s3alias, --ol-s3)";
  return undefined;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const KUBERNETES_KEYS = ["enabled", "kubeconfig", "context", "renderYamlToDirectory"];
const KUBE_BENCH_KEYS = [
  "enabled",
  "namespace",
  "image",
  "configDir",
  "privileged",
  "nodes",
  "scanOnDeploy",
  "await",
  "awaitTimeoutSeconds",
  "ttlSecondsAfterFinished",
  "activeDeadlineSeconds",
  "schedule",
  "timeZone",
  "successfulJobsHistoryLimit",
  "failedJobsHistoryLimit",
  "resources",
  "uploader",
  "checkFiles",
];
const EVIDENCE_KEYS = ["enabled", "bucket", "endpoint", "objectLocking", "lockMode", "retentionDays", "uploaderUser", "keepOnDestroy"];
const AUDIT_SHIPPING_KEYS = ["enabled", "namespace", "createNamespace", "lokiUrl", "tenantId", "shipper"];
const SERVICE_ACCOUNT_KEYS = ["enabled", "namespaces", "discover", "exclude"];

function readKubernetes(r: Reader, raw: RawStackConfig): KubernetesAccessSettings {
  const o = r.object("kubernetes", raw.values.kubernetes);
  r.unknownKeys("kubernetes", o, KUBERNETES_KEYS);
  const out: KubernetesAccessSettings = { enabled: r.bool("kubernetes.enabled", o.enabled, true) };
  const kubeconfig = r.secret("kubernetes.kubeconfig", o.kubeconfig, "kubernetes", raw);
  if (kubeconfig) {
    if (!kubeconfig.value.startsWith("<secret") && !/^\s*(apiVersion|clusters|kind)\s*:/m.test(kubeconfig.value)) {
      r.problem("kubernetes.kubeconfig", "does not look like a kubeconfig (expected YAML with clusters, contexts and users); give its contents, not a path");
    }
    out.kubeconfig = kubeconfig;
  }
  const context = r.optionalStr("kubernetes.context", o.context);
  if (context !== undefined) out.context = context;
  const dir = r.optionalStr("kubernetes.renderYamlToDirectory", o.renderYamlToDirectory);
  if (dir !== undefined) {
    out.renderYamlToDirectory = dir;
    r.warnings.push("kubernetes.renderYamlToDirectory is set: manifests are written, nothing is applied, and pulumi-kubernetes writes Secret values in plain text there");
  }
  return out;
}

function readKubeBench(r: Reader, raw: RawStackConfig, stack: StackConfig): KubeBenchSettings {
  const o = r.object("kubeBench", raw.values.kubeBench);
  r.unknownKeys("kubeBench", o, KUBE_BENCH_KEYS);
  const d = CAPABILITY_DEFAULTS.kubeBench;
  const stackNodes = stack.nodes.map((n) => n.name);
  const nodes = r.nameList("kubeBench.nodes", o.nodes, stackNodes, "node name");
  nodes.forEach((n, i) => {
    if (DNS_LABEL.test(n) && !stackNodes.includes(n)) {
      r.problem(`kubeBench.nodes[${i}]`, `${JSON.stringify(n)} is not a node of this stack; scans are pinned to stack nodes: use one of ${stackNodes.join(", ")}`);
    }
  });
  if (Array.isArray(o.nodes) && o.nodes.length === 0) r.problem("kubeBench.nodes", "is empty; list the nodes to scan, or remove the key to scan every node");
  const schedule = r.str("kubeBench.schedule", o.schedule, d.schedule);
  const cron = cronScheduleProblem(schedule);
  if (cron) r.problem("kubeBench.schedule", `${JSON.stringify(schedule)} is not a valid cron schedule: ${cron}`);
  const timeZone = r.str("kubeBench.timeZone", o.timeZone, d.timeZone);
  if (!validTimeZone(timeZone)) r.problem("kubeBench.timeZone", `${JSON.stringify(timeZone)} is not an IANA time zone such as Etc/UTC or Europe/Berlin`);
  const configDir = r.str("kubeBench.configDir", o.configDir, KUBE_BENCH_CONFIG_DIR);
  if (!/^\/[A-Za-z0-9._/-]*$/.test(configDir) || configDir.includes("..")) r.problem("kubeBench.configDir", `must be an absolute path inside the image, got ${describe(configDir)}`);
  const up = r.object("kubeBench.uploader", o.uploader);
  r.unknownKeys("kubeBench.uploader", up, ["image", "resources"]);
  const awaitScans = r.bool("kubeBench.await", o.await, d.await);
  const privileged = r.bool("kubeBench.privileged", o.privileged, false);
  if (privileged) {
    r.warnings.push("kubeBench.privileged is true: the scan pods run privileged; the policy pack's cis-pod-privileged needs an exemption for the kubeBench namespace");
  }
  return {
    enabled: r.bool("kubeBench.enabled", o.enabled, true),
    namespace: readNamespace(r, "kubeBench.namespace", o.namespace, d.namespace),
    image: r.image("kubeBench.image", o.image, DEFAULT_IMAGES.kubeBench),
    configDir,
    privileged,
    nodes,
    scanOnDeploy: r.bool("kubeBench.scanOnDeploy", o.scanOnDeploy, d.scanOnDeploy),
    await: awaitScans,
    awaitTimeoutSeconds: r.int("kubeBench.awaitTimeoutSeconds", o.awaitTimeoutSeconds, d.awaitTimeoutSeconds, 60, 7200),
    ttlSecondsAfterFinished: r.int("kubeBench.ttlSecondsAfterFinished", o.ttlSecondsAfterFinished, d.ttlSecondsAfterFinished, 60, 31_536_000),
    activeDeadlineSeconds: r.int("kubeBench.activeDeadlineSeconds", o.activeDeadlineSeconds, d.activeDeadlineSeconds, 60, 86400),
    schedule,
    timeZone,
    successfulJobsHistoryLimit: r.int("kubeBench.successfulJobsHistoryLimit", o.successfulJobsHistoryLimit, d.successfulJobsHistoryLimit, 0, 100),
    failedJobsHistoryLimit: r.int("kubeBench.failedJobsHistoryLimit", o.failedJobsHistoryLimit, d.failedJobsHistoryLimit, 0, 100),
    resources: r.resources("kubeBench.resources", o.resources, d.resources),
    uploader: {
      image: r.image("kubeBench.uploader.image", up.image, DEFAULT_IMAGES.mc),
      resources: r.resources("kubeBench.uploader.resources", up.resources, d.uploaderResources),
    },
  };
}

function readNamespace(r: Reader, key: string, v: unknown, def: string): string {
  const ns = r.str(key, v, def);
  if (!DNS_LABEL.test(ns)) r.problem(key, `${JSON.stringify(ns)} is not a valid namespace name (lower-case letters, digits and '-', at most 63)`);
  return ns;
}

function readEvidence(r: Reader, raw: RawStackConfig, stack: StackConfig): EvidenceSettings {
  const present = raw.values.evidence !== undefined && raw.values.evidence !== null;
  const o = r.object("evidence", raw.values.evidence);
  r.unknownKeys("evidence", o, EVIDENCE_KEYS);
  const d = CAPABILITY_DEFAULTS.evidence;
  const enabled = r.bool("evidence.enabled", o.enabled, present);
  const objectLocking = r.bool("evidence.objectLocking", o.objectLocking, d.objectLocking);
  const lockMode = r.oneOf("evidence.lockMode", o.lockMode, ["governance", "compliance", "off"] as const, objectLocking ? d.lockMode : "off");
  const retentionDays = r.int(
    "evidence.retentionDays",
    o.retentionDays,
    d.retentionDays,
    1,
    36500,
    "reports are kept for whole days; a retention under one day would expire evidence before anyone reads it (400 keeps a year of weekly scans plus a margin)",
  );
  const defaultUser = `kube-bench-${stack.cluster}`;
  const settings: EvidenceSettings = {
    enabled,
    bucket: "",
    endpoint: "",
    objectLocking,
    lockMode,
    retentionDays,
    uploaderUser: r.str("evidence.uploaderUser", o.uploaderUser, defaultUser),
    keepOnDestroy: r.bool("evidence.keepOnDestroy", o.keepOnDestroy, d.keepOnDestroy),
  };
  if (!IAM_USER.test(settings.uploaderUser)) {
    r.problem("evidence.uploaderUser", `${JSON.stringify(settings.uploaderUser)} is not a MinIO user name (3-128 letters, digits, '.', '_' or '-')`);
  }
  if (lockMode === "governance") {
    r.warnings.push(
      "evidence.lockMode is governance: a user with s3:BypassGovernanceRetention (a bucket admin) can shorten or remove a report's retention; the uploader is denied it, but for audit evidence use compliance",
    );
  }
  if (lockMode !== "off" && !objectLocking) {
    r.problem("evidence.lockMode", `${lockMode} retention needs a bucket with object locking; set evidence.objectLocking: true (only possible when the bucket is created) or lockMode: off`);
  }
  if (!enabled) return settings;
  settings.bucket = r.str("evidence.bucket", o.bucket, undefined, `name the bucket, e.g. ${stack.cluster}-cis-evidence`);
  if (settings.bucket !== "") {
    const p = bucketNameProblem(settings.bucket);
    if (p) r.problem("evidence.bucket", `${JSON.stringify(settings.bucket)} is not a valid bucket name: ${p}`);
  }
  settings.endpoint = r.url("evidence.endpoint", o.endpoint, "https://minio.example.internal:9000", false);
  if (settings.endpoint.startsWith("http://")) {
    r.warnings.push(`evidence.endpoint ${settings.endpoint} is plain HTTP: the uploader's credentials and the reports cross the network unencrypted`);
  }
  if (!objectLocking) r.warnings.push("evidence.objectLocking is false: uploaded reports can be deleted or overwritten by anyone with delete rights before they expire");
  return settings;
}

function readAuditShipping(r: Reader, raw: RawStackConfig): AuditShippingSettings {
  const present = raw.values.auditShipping !== undefined && raw.values.auditShipping !== null;
  const o = r.object("auditShipping", raw.values.auditShipping);
  r.unknownKeys("auditShipping", o, AUDIT_SHIPPING_KEYS);
  const d = CAPABILITY_DEFAULTS.auditShipping;
  const enabled = r.bool("auditShipping.enabled", o.enabled, present);
  const sh = r.object("auditShipping.shipper", o.shipper);
  r.unknownKeys("auditShipping.shipper", sh, ["enabled", "image", "resources"]);
  const settings: AuditShippingSettings = {
    enabled,
    namespace: readNamespace(r, "auditShipping.namespace", o.namespace, d.namespace),
    createNamespace: r.bool("auditShipping.createNamespace", o.createNamespace, d.createNamespace),
    lokiUrl: "",
    shipper: {
      enabled: r.bool("auditShipping.shipper.enabled", sh.enabled, false),
      image: r.image("auditShipping.shipper.image", sh.image, DEFAULT_IMAGES.alloy),
      resources: r.resources("auditShipping.shipper.resources", sh.resources, d.shipperResources),
    },
  };
  const tenantId = r.optionalStr("auditShipping.tenantId", o.tenantId);
  if (tenantId !== undefined) settings.tenantId = tenantId;
  if (enabled) settings.lokiUrl = r.url("auditShipping.lokiUrl", o.lokiUrl, "http://loki-gateway.monitoring.svc/loki/api/v1/push", true);
  if (settings.shipper.enabled && !settings.createNamespace) {
    r.warnings.push(`auditShipping.shipper runs in the existing namespace ${settings.namespace}: it must allow Pod Security level privileged (hostPath, root)`);
  }
  return settings;
}

function readServiceAccounts(r: Reader, raw: RawStackConfig): ServiceAccountSettings {
  const o = r.object("serviceAccounts", raw.values.serviceAccounts);
  r.unknownKeys("serviceAccounts", o, SERVICE_ACCOUNT_KEYS);
  const d = CAPABILITY_DEFAULTS.serviceAccounts;
  return {
    enabled: r.bool("serviceAccounts.enabled", o.enabled, true),
    namespaces: r.nameList("serviceAccounts.namespaces", o.namespaces, d.namespaces, "namespace name"),
    discover: r.bool("serviceAccounts.discover", o.discover, d.discover),
    exclude: r.nameList("serviceAccounts.exclude", o.exclude, [], "namespace name"),
  };
}

/**
 * `kubeBench.checkFiles`: a folder holding `<profile>/` for the selected profile (kube-bench's `cfg/` for
 * k3s-cis-1.7-1.9, Rancher security-scan's `package/cfg/` for 1.10-1.12), relative to the project. The
 * scanner image carries its own, possibly different, copies (Rancher's image replaces kube-bench's
 * k3s-cis-1.9 with its own); shipping the pinned files makes the cluster run the checks the catalog encodes.
 */
function readCheckFiles(r: Reader, raw: RawStackConfig, stack: StackConfig): VerifiedCheckFiles | undefined {
  const o = r.object("kubeBench", raw.values.kubeBench);
  const bench = getBenchmark(stack.profile.benchmark);
  const source = bench.source.project === "kube-bench" ? `kube-bench's cfg/ at ${bench.source.commit.slice(0, 8)}` : `Rancher security-scan's package/cfg/ at ${bench.source.commit.slice(0, 8)}`;
  if (o.checkFiles === undefined || o.checkFiles === null || o.checkFiles === "") {
    r.problem("kubeBench.checkFiles", `is required for the cluster's scans: set it to the folder holding ${bench.id}/, i.e. ${source}, so that the scans run the checks the prediction uses`);
    return undefined;
  }
  const given = r.str("kubeBench.checkFiles", o.checkFiles, "");
  const loaded = loadProfileCheckFiles(path.resolve(raw.baseDir ?? process.cwd(), given), bench);
  if ("problems" in loaded) {
    for (const p of loaded.problems) r.problem("kubeBench.checkFiles", `${p}; point it at ${source}`);
    return undefined;
  }
  return loaded;
}

/**
 * Validate the capability keys (kubeBench, evidence, auditShipping, serviceAccounts, kubernetes) into
 * a CapabilitiesConfig, or throw ConfigError listing every problem.
 */
export function validateCapabilities(raw: RawStackConfig, stack: StackConfig): CapabilitiesConfig {
  const r = new Reader();
  const kubernetes = readKubernetes(r, raw);
  const kubeBench = readKubeBench(r, raw, stack);
  const evidence = readEvidence(r, raw, stack);
  const auditShipping = readAuditShipping(r, raw);
  const serviceAccounts = readServiceAccounts(r, raw);
  if (evidence.enabled && !kubeBench.enabled) {
    r.problem("evidence.enabled", "the evidence bucket holds kube-bench reports, but kubeBench.enabled is false; enable kube-bench or set evidence.enabled: false");
  }
  const created = [kubeBench.enabled ? kubeBench.namespace : undefined, auditShipping.enabled && auditShipping.createNamespace ? auditShipping.namespace : undefined];
  if (created[0] !== undefined && created[0] === created[1]) {
    r.problem("auditShipping.namespace", `${created[1]} is also kubeBench.namespace; give the log shipping its own namespace`);
  }
  if (kubeBench.enabled && kubernetes.enabled) {
    const files = readCheckFiles(r, raw, stack);
    if (files) kubeBench.checkFiles = files;
  }
  if (kubeBench.enabled && !evidence.enabled) {
    r.warnings.push("evidence is not configured: kube-bench reports stay in pod logs only; set evidence.bucket and evidence.endpoint to keep them in MinIO");
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return { kubernetes, kubeBench, evidence, auditShipping, serviceAccounts, warnings: r.warnings };
}
