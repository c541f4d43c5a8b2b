/**
 * The typed, validated stack configuration. `validateStackConfig` (validate.ts) is the only way to make one.
 */
import { BenchmarkId } from "../cis/types";
import { ArgComponent } from "../k3s/facts";

export type NodeRole = "server" | "agent";

/** A value that must stay secret: the plaintext and where it came from (for error messages only). */
export interface SecretValue {
  readonly kind: "secret";
  /** The plaintext. Only ever passed to pulumi.secret() or to a placeholder renderer. */
  readonly value: string;
}

/** Scalar or list values allowed as extra top-level k3s config keys (node-ip, tls-san, ...). */
export type K3sSettingValue = string | number | boolean | string[];

export interface NodeSpec {
  /** Kubernetes node name; also the resource name suffix. DNS-1123 label. */
  name: string;
  /** Address the SSH connection uses. */
  host: string;
  port: number;
  user: string;
  role: NodeRole;
  /** Prefix remote commands with `sudo -n` (required when user is not root). */
  sudo: boolean;
  /** SSH host public key ("ssh-ed25519 AAAA..."); verified on connect. */
  hostKey?: string;
  /** Explicit opt-out of host key verification. */
  insecureIgnoreHostKey: boolean;
  /** SSH private key (PEM/OpenSSH). Per node, or the stack-wide `sshPrivateKey`. */
  privateKey: SecretValue;
  /** Extra top-level k3s settings for this node only (e.g. node-ip, server, tls-san). */
  k3sSettings: Record<string, K3sSettingValue>;
  /** The k3s settings of this node whose values are credentials (K3S_SECRET_SETTINGS), as stack secrets. */
  k3sSecrets: Record<string, SecretValue>;
  /** Restore the pre-hardening files when the node leaves the stack or the stack is destroyed. */
  restoreOnDestroy: boolean;
}

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PodSecurityDefaults {
  enforce: PodSecurityLevel;
  audit: PodSecurityLevel;
  warn: PodSecurityLevel;
  /** "latest" or "v1.NN". */
  version: string;
  exemptions: { namespaces: string[]; usernames: string[]; runtimeClasses: string[] };
}

export type EventRateLimitType = "Server" | "Namespace" | "User" | "SourceAndObject";

export interface EventRateLimit {
  type: EventRateLimitType;
  qps: number;
  burst: number;
  /** Required by the plugin for every type but Server. */
  cacheSize?: number;
}

export interface AuditRule {
  level: "None" | "Metadata" | "Request" | "RequestResponse";
  verbs?: string[];
  resources?: Array<{ group: string; resources?: string[] }>;
  namespaces?: string[];
  users?: string[];
  userGroups?: string[];
  omitStages?: string[];
}

export interface AuditSettings {
  /** Audit log file on every server. Its directory is created 0700. */
  logPath: string;
  policyPath: string;
  maxAgeDays: number;
  maxBackups: number;
  maxSizeMb: number;
  /** Audit policy rules, evaluated in order. Defaults to the guide's rules. */
  rules: AuditRule[];
  omitStages: string[];
}

export interface AdmissionSettings {
  /** The full `enable-admission-plugins` list (k3s replaces its default with it). */
  plugins: string[];
  configPath: string;
  podSecurity: PodSecurityDefaults;
  eventRateLimits: EventRateLimit[];
}

export interface KubeletSettings {
  streamingConnectionIdleTimeout: string;
  eventQps: number;
  /** Optional pid limit per pod (CIS 4.2.13); unset leaves the kubelet default. */
  podMaxPids?: number;
  tlsCipherSuites: string[];
  /** `seccomp-default=true`: containers without a seccomp profile get RuntimeDefault (CIS 4.2.14, 1.11+). */
  seccompDefault: boolean;
}

export interface RolloutSettings {
  /** Agents restarted at once, after all servers. */
  agentBatchSize: number;
  /** Seconds a restarted node may take to report healthy before it is rolled back. */
  healthTimeoutSeconds: number;
  /** Previous versions of each file kept on the node. */
  backupsToKeep: number;
}

export interface HardeningProfile {
  benchmark: BenchmarkId;
  /** The k3s version the stack is for (`k3sVersion`), when given; it chose or was checked against `benchmark`. */
  k3sVersion?: string;
  audit: AuditSettings;
  admission: AdmissionSettings;
  kubelet: KubeletSettings;
  /** Embedded etcd: `cluster-init: true` on the first server. */
  embeddedEtcd: boolean;
  /** Opt-in: must be identical on all servers; enabling it on a running HA cluster has failed in the field. */
  secretsEncryption: boolean;
  protectKernelDefaults: boolean;
  /** API server `request-timeout` (CIS 1.2.x wants it set explicitly). */
  requestTimeout: string;
  /** Terminated pods kept before the controller manager garbage-collects them (CIS 1.3.1). */
  terminatedPodGcThreshold: number;
  /** Extra `name=value` arguments per component, appended after ours; a later value for a flag wins. */
  extraArgs: Record<ArgComponent, string[]>;
}

export interface StackConfig {
  /** Cluster name used in evidence paths and labels. */
  cluster: string;
  nodes: NodeSpec[];
  profile: HardeningProfile;
  rollout: RolloutSettings;
  /** k3s join token written to every node's config.yaml when set. */
  k3sToken?: SecretValue;
  /** On `pulumi destroy`, restore the files that were on the node before the first hardening (default for every node). */
  restoreOnDestroy: boolean;
  /** Probe every node over SSH during preview and up, and put drifted nodes back. */
  driftCheck: boolean;
  /** Warnings to show (not errors), e.g. secrets-encryption turned on. */
  warnings: string[];
}
