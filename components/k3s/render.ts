/**
 * Pure renderers for every file the hardening places on a node. No Pulumi here: plain values in, text out.
 * The Pulumi component, the render CLI, the policy pack and the tests all call these.
 */
import * as YAML from "yaml";
import { getBenchmark, controlByTopic } from "../cis";
import { AdmissionSettings, AuditSettings, NodeSpec, StackConfig } from "../config/types";
import { ArgComponent, API_VERSIONS, COMPONENT_CONFIG_KEYS, K3S_PATHS, PROTECT_KERNEL_DEFAULTS_SYSCTLS } from "./facts";
import { evaluateFlagCheck, journalLine, K3sConfigDocument } from "./evaluate";

/** A file to place on a node. */
export interface NodeFile {
  path: string;
  content: string;
  /** Octal mode, always root-owned. */
  mode: "0600" | "0644";
  /** True when the content carries a secret (the k3s token). */
  secret: boolean;
}

/** Everything one node receives. */
export interface NodeBundle {
  node: string;
  role: "server" | "agent";
  files: NodeFile[];
  /** Directories created (0700) before files are written; the audit log directory among them. */
  directories: string[];
  /** Apply `sysctl -p` on this file after writing it. */
  sysctlFile?: string;
  /** The k3s config as a document, for the kube-bench prediction. */
  k3sConfig: K3sConfigDocument;
}

/** Placeholder that replaces secret values when rendering for review. */
export const SECRET_PLACEHOLDER = "<secret: set by pulumi up from stack config>";

const HEADER = (benchmark: string) =>
  `# Managed by k3s-cis-hardening (Pulumi), profile ${benchmark}.\n` +
  `# Local edits are replaced on the next \`pulumi up\`; previous versions are kept in ${K3S_PATHS.stateDir}/backups.\n`;

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

function apiserverArgs(cfg: StackConfig): string[] {
  const { audit, admission } = cfg.profile;
  return [
    "anonymous-auth=false",
    "authorization-mode=Node,RBAC",
    "profiling=false",
    // The whole list with `=`: `+=` would put k3s's list first on the journal line and kube-bench reads only that.
    `enable-admission-plugins=${admission.plugins.join(",")}`,
    `admission-control-config-file=${admission.configPath}`,
    `audit-log-path=${audit.logPath}`,
    `audit-log-maxage=${audit.maxAgeDays}`,
    `audit-log-maxbackup=${audit.maxBackups}`,
    `audit-log-maxsize=${audit.maxSizeMb}`,
    `audit-policy-file=${audit.policyPath}`,
    "service-account-lookup=true",
    "service-account-extend-token-expiration=false",
    `request-timeout=${cfg.profile.requestTimeout}`,
  ];
}

function controllerManagerArgs(cfg: StackConfig): string[] {
  return [
    `terminated-pod-gc-threshold=${cfg.profile.terminatedPodGcThreshold}`,
    "use-service-account-credentials=true",
    "profiling=false",
    "bind-address=127.0.0.1",
  ];
}

function schedulerArgs(): string[] {
  return ["profiling=false", "bind-address=127.0.0.1"];
}

/**
 * Kubelet flags. k3s keeps most kubelet settings in a config-dir file that kube-bench does not read, so the
 * ones CIS checks are repeated here to appear on the `Running kubelet` journal line.
 */
function kubeletArgs(cfg: StackConfig): string[] {
  const k = cfg.profile.kubelet;
  const args = [
    "anonymous-auth=false",
    "authorization-mode=Webhook",
    `client-ca-file=${K3S_PATHS.kubeletClientCaFile}`,
    "read-only-port=0",
    "make-iptables-util-chains=true",
    `event-qps=${k.eventQps}`,
    `tls-cert-file=${K3S_PATHS.kubeletServingCertFile}`,
    `tls-private-key-file=${K3S_PATHS.kubeletServingKeyFile}`,
    `tls-cipher-suites=${k.tlsCipherSuites.join(",")}`,
  ];
  if (cfg.profile.protectKernelDefaults) args.push("protect-kernel-defaults=true");
  if (k.podMaxPids !== undefined) args.push(`pod-max-pids=${k.podMaxPids}`);
  if (k.seccompDefault) args.push("seccomp-default=true");
  const idle = `streaming-connection-idle-timeout=${k.streamingConnectionIdleTimeout}`;
  if (streamingTimeoutAccepted(cfg, idle)) args.push(idle);
  return args;
}

/**
 * k3s-cis-1.9's streaming timeout check uses an operator kube-bench does not know, so it passes only when
 * the flag is absent. The kubelet's own default (4h) is not 0, which is what CIS asks; in that case the
 * flag is left out rather than turning a PASS into a FAIL. Decided from the catalog, not by version name.
 */
function streamingTimeoutAccepted(cfg: StackConfig, arg: string): boolean {
  const control = controlByTopic(getBenchmark(cfg.profile.benchmark), "kubelet.streaming-connection-idle-timeout");
  if (!control || control.check.kind !== "flag" || control.kind !== "automated") return true;
  return evaluateFlagCheck(control.check, journalLine("kubelet", { "kubelet-arg": [arg] })).pass;
}

/** Our args followed by the user's extra args (a later `name=value` wins in k3s). */
function componentArgs(cfg: StackConfig, component: ArgComponent, ours: string[]): string[] {
  return [...ours, ...cfg.profile.extraArgs[component]];
}

/**
 * The secret settings of a node's config.yaml (the k3s token, the node's credential settings), each as
 * `secretText` makes it: the plaintext for `pulumi up`, a placeholder for review. Without `secretText`
 * (the prediction) they are left out: they decide no CIS check.
 */
function secretSettings(cfg: StackConfig, node: NodeSpec, secretText?: (s: string) => string): K3sConfigDocument {
  if (!secretText) return {};
  const doc: K3sConfigDocument = {};
  if (cfg.k3sToken) doc.token = secretText(cfg.k3sToken.value);
  for (const [k, v] of Object.entries(node.k3sSecrets)) doc[k] = secretText(v.value);
  return doc;
}

/** Whether a node's config.yaml carries a secret. */
function carriesSecret(cfg: StackConfig, node: NodeSpec): boolean {
  return cfg.k3sToken !== undefined || Object.keys(node.k3sSecrets).length > 0;
}

/** The k3s config.yaml for a server, as a document (secrets as `secretText` makes them; left out without it). */
export function serverConfigDocument(cfg: StackConfig, node: NodeSpec, firstServer: boolean, secretText?: (s: string) => string): K3sConfigDocument {
  const doc: K3sConfigDocument = {};
  if (cfg.profile.embeddedEtcd && firstServer) doc["cluster-init"] = true;
  Object.assign(doc, secretSettings(cfg, node, secretText), node.k3sSettings);
  if (cfg.profile.protectKernelDefaults) doc["protect-kernel-defaults"] = true;
  if (cfg.profile.secretsEncryption) doc["secrets-encryption"] = true;
  doc[COMPONENT_CONFIG_KEYS.apiserver] = componentArgs(cfg, "apiserver", apiserverArgs(cfg));
  doc[COMPONENT_CONFIG_KEYS.controllerManager] = componentArgs(cfg, "controllerManager", controllerManagerArgs(cfg));
  doc[COMPONENT_CONFIG_KEYS.scheduler] = componentArgs(cfg, "scheduler", schedulerArgs());
  if (cfg.profile.embeddedEtcd && cfg.profile.extraArgs.etcd.length > 0) doc[COMPONENT_CONFIG_KEYS.etcd] = [...cfg.profile.extraArgs.etcd];
  doc[COMPONENT_CONFIG_KEYS.kubelet] = componentArgs(cfg, "kubelet", kubeletArgs(cfg));
  return doc;
}

/** The k3s config.yaml for an agent: kubelet hardening and kernel protection only. */
export function agentConfigDocument(cfg: StackConfig, node: NodeSpec, secretText?: (s: string) => string): K3sConfigDocument {
  const doc: K3sConfigDocument = {};
  Object.assign(doc, secretSettings(cfg, node, secretText), node.k3sSettings);
  if (cfg.profile.protectKernelDefaults) doc["protect-kernel-defaults"] = true;
  doc[COMPONENT_CONFIG_KEYS.kubelet] = componentArgs(cfg, "kubelet", kubeletArgs(cfg));
  return doc;
}

function toYaml(doc: unknown): string {
  return YAML.stringify(doc, { lineWidth: 0 });
}

export function renderK3sConfig(cfg: StackConfig, doc: K3sConfigDocument): string {
  return HEADER(cfg.profile.benchmark) + toYaml(doc);
}

/** The audit policy (audit.k8s.io/v1 Policy). */
export function renderAuditPolicy(audit: AuditSettings): string {
  const policy = {
    apiVersion: API_VERSIONS.auditPolicy,
    kind: "Policy",
    omitStages: audit.omitStages,
    rules: audit.rules,
  };
  return toYaml(policy);
}

/** The admission configuration: Pod Security defaults and EventRateLimit limits. */
export function renderAdmissionConfig(admission: AdmissionSettings): string {
  // PodSecurity is always on in Kubernetes >= 1.25; its cluster-wide defaults come from this file.
  const ps = admission.podSecurity;
  const plugins: unknown[] = [
    {
      name: "PodSecurity",
      configuration: {
        apiVersion: API_VERSIONS.podSecurityConfiguration,
        kind: "PodSecurityConfiguration",
        defaults: {
          enforce: ps.enforce,
          "enforce-version": ps.version,
          audit: ps.audit,
          "audit-version": ps.version,
          warn: ps.warn,
          "warn-version": ps.version,
        },
        exemptions: {
          usernames: ps.exemptions.usernames,
          runtimeClasses: ps.exemptions.runtimeClasses,
          namespaces: ps.exemptions.namespaces,
        },
      },
    },
  ];
  if (admission.plugins.includes("EventRateLimit")) {
    plugins.push({
      name: "EventRateLimit",
      configuration: {
        apiVersion: API_VERSIONS.eventRateLimitConfiguration,
        kind: "Configuration",
        limits: admission.eventRateLimits.map((l) => ({
          type: l.type,
          qps: l.qps,
          burst: l.burst,
          ...(l.cacheSize !== undefined ? { cacheSize: l.cacheSize } : {}),
        })),
      },
    });
  }
  return toYaml({ apiVersion: API_VERSIONS.admissionConfiguration, kind: "AdmissionConfiguration", plugins });
}

/** Kernel parameters that protect-kernel-defaults requires, persisted for reboots. */
export function renderSysctl(): string {
  return (
    "# Managed by k3s-cis-hardening: kernel parameters the kubelet requires with protect-kernel-defaults.\n" +
    PROTECT_KERNEL_DEFAULTS_SYSCTLS.map(([k, v]) => `${k} = ${v}`).join("\n") +
    "\n"
  );
}

/** The first server in the stack initialises embedded etcd. */
export function isFirstServer(cfg: StackConfig, node: NodeSpec): boolean {
  return cfg.nodes.find((n) => n.role === "server")?.name === node.name;
}

/**
 * Every file for one node. `secretText` decides how the token and the node's credential settings
 * appear: the plaintext for `pulumi up`, a placeholder for review renders.
 */
export function renderNodeBundle(cfg: StackConfig, node: NodeSpec, secretText: (s: string) => string = () => SECRET_PLACEHOLDER): NodeBundle {
  const hasSecret = carriesSecret(cfg, node);
  const files: NodeFile[] = [];
  const directories: string[] = [];
  let k3sConfig: K3sConfigDocument;
  if (node.role === "server") {
    k3sConfig = serverConfigDocument(cfg, node, isFirstServer(cfg, node), secretText);
    directories.push(dirname(cfg.profile.audit.logPath));
    files.push({ path: cfg.profile.audit.policyPath, content: renderAuditPolicy(cfg.profile.audit), mode: "0600", secret: false });
    files.push({ path: cfg.profile.admission.configPath, content: renderAdmissionConfig(cfg.profile.admission), mode: "0600", secret: false });
  } else {
    k3sConfig = agentConfigDocument(cfg, node, secretText);
  }
  let sysctlFile: string | undefined;
  if (cfg.profile.protectKernelDefaults) {
    sysctlFile = K3S_PATHS.sysctlFile;
    files.push({ path: K3S_PATHS.sysctlFile, content: renderSysctl(), mode: "0600", secret: false });
  }
  // config.yaml last: k3s must never start with a config that points at files not yet written.
  files.push({ path: K3S_PATHS.configFile, content: renderK3sConfig(cfg, k3sConfig), mode: "0600", secret: hasSecret });
  return { node: node.name, role: node.role, files, directories, sysctlFile, k3sConfig };
}
