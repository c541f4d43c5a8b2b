import { APISERVER_STRONG_CIPHERS, KUBELET_STRONG_CIPHERS } from "../cis/catalog/shared";

/**
 * External facts about k3s that the renderers, the node script and the validators rely on.
 * Each fact lives here once; the comment next to it says where it comes from.
 */

/** Paths on a node. */
export const K3S_PATHS = {
  /** k3s reads this file at start (since v1.19.1). We own it completely. */
  configFile: "/etc/rancher/k3s/config.yaml",
  /** Drop-in directory read after config.yaml, alphabetical (since v1.21). Not written by us. */
  configDropInDir: "/etc/rancher/k3s/config.yaml.d",
  /** k3s hardening guide locations for the audit policy and the admission configuration. */
  auditPolicyFile: "/var/lib/rancher/k3s/server/audit.yaml",
  admissionConfigFile: "/var/lib/rancher/k3s/server/psa.yaml",
  /** Audit log default from the k3s hardening guide; the directory must exist (0700) before start. */
  auditLogFile: "/var/lib/rancher/k3s/server/logs/audit.log",
  /** Kernel parameters required by protect-kernel-defaults, persisted across reboots. */
  sysctlFile: "/etc/sysctl.d/90-kubelet.conf",
  /** Where the node script keeps its state: backups of replaced files and the pre-hardening originals. */
  stateDir: "/var/lib/rancher/k3s-hardening",
  /** Kubelet client CA that k3s writes on every node (kube-bench 4.2.3 reads --client-ca-file). */
  kubeletClientCaFile: "/var/lib/rancher/k3s/agent/client-ca.crt",
  /** Kubelet serving certificate and key that k3s issues (kube-bench 4.2.9 wants both flags on the line). */
  kubeletServingCertFile: "/var/lib/rancher/k3s/agent/serving-kubelet.crt",
  kubeletServingKeyFile: "/var/lib/rancher/k3s/agent/serving-kubelet.key",
} as const;

/**
 * Short names k3s accepts for its own settings, in config.yaml as on the command line (urfave/cli
 * aliases of the server and agent flags: `token,t`, `server,s`, `data-dir,d`, `write-kubeconfig,o`).
 * A key may also end in `+` (append to the value from an earlier file).
 */
export const K3S_SETTING_ALIASES: Readonly<Record<string, string>> = { t: "token", s: "server", d: "data-dir", o: "write-kubeconfig" };

/**
 * k3s settings whose values are credentials (k3s server/agent flags): the join tokens, the external
 * datastore DSN (it carries the database password), the etcd S3 snapshot credentials, and the VPN auth
 * string (it carries the join key). Given in `k3sSettings`, they must be stack secrets, and they travel
 * like the k3s token: in the secret stdin only, a placeholder everywhere else.
 */
export const K3S_SECRET_SETTINGS: readonly string[] = [
  "token",
  "agent-token",
  "datastore-endpoint",
  "etcd-s3-access-key",
  "etcd-s3-secret-key",
  "etcd-s3-session-token",
  "vpn-auth",
];

/** systemd units installed by the k3s installer. */
export const K3S_UNITS = { server: "k3s", agent: "k3s-agent" } as const;

/**
 * Health probes run on the node after a restart.
 * - server: `k3s kubectl` as root uses the admin kubeconfig; unauthenticated /readyz answers 401.
 * - agent: the kubelet's healthz endpoint, bound to 127.0.0.1:10248 by default and not authenticated.
 */
export const HEALTH_PROBES = {
  server: "k3s kubectl get --raw=/readyz",
  agent: "curl -fsS --max-time 5 http://127.0.0.1:10248/healthz",
} as const;

/** Seconds one health probe may take before it is killed (and counted as unhealthy); the wait retries. */
export const HEALTH_PROBE_TIMEOUT_SECONDS = 10;

/**
 * Kernel parameters the kubelet checks when protect-kernel-defaults is on; with other values it refuses
 * to start (kubelet setupKernelTunables; k3s hardening guide).
 */
export const PROTECT_KERNEL_DEFAULTS_SYSCTLS: ReadonlyArray<readonly [string, string]> = [
  ["vm.panic_on_oom", "0"],
  ["vm.overcommit_memory", "1"],
  ["kernel.panic", "10"],
  ["kernel.panic_on_oops", "1"],
];

/** Component names as used in our config and in the k3s config keys that carry their arguments. */
export type ArgComponent = "apiserver" | "controllerManager" | "scheduler" | "kubelet" | "etcd";

export const ARG_COMPONENTS: readonly ArgComponent[] = ["apiserver", "controllerManager", "scheduler", "kubelet", "etcd"];

/** k3s config key for each component's extra arguments. */
export const COMPONENT_CONFIG_KEYS: Record<ArgComponent, string> = {
  apiserver: "kube-apiserver-arg",
  controllerManager: "kube-controller-manager-arg",
  scheduler: "kube-scheduler-arg",
  kubelet: "kubelet-arg",
  etcd: "etcd-arg",
};

/** Which node role runs each component. kubelet runs on servers too. */
export const COMPONENT_ROLES: Record<ArgComponent, ReadonlyArray<"server" | "agent">> = {
  apiserver: ["server"],
  controllerManager: ["server"],
  scheduler: ["server"],
  etcd: ["server"],
  kubelet: ["server", "agent"],
};

/**
 * The `Running <component>` journal lines kube-bench greps on k3s, and the flags k3s puts there by default.
 * Taken from journal lines of recent k3s releases (v1.35/v1.36, k3s docs self-assessment logs and user
 * reports): since k3s moved kubelet settings into `--config-dir`, the kubelet line carries only a few flags,
 * so anything kube-bench must see has to be repeated in kubelet-arg. Values we cannot know in advance
 * (node IPs, data-dir hashes) are left out; kube-bench does not check them.
 */
export const K3S_DEFAULT_ARGS: Record<ArgComponent, Readonly<Record<string, string>>> = {
  apiserver: {
    "advertise-port": "6443",
    "allow-privileged": "true",
    "anonymous-auth": "false",
    "api-audiences": "https://kubernetes.default.svc.cluster.local,k3s",
    "authorization-mode": "Node,RBAC",
    "bind-address": "127.0.0.1",
    "client-ca-file": "/var/lib/rancher/k3s/server/tls/client-ca.crt",
    "egress-selector-config-file": "/var/lib/rancher/k3s/server/etc/egress-selector-config.yaml",
    "enable-admission-plugins": "NodeRestriction",
    "enable-aggregator-routing": "true",
    "etcd-cafile": "/var/lib/rancher/k3s/server/tls/etcd/server-ca.crt",
    "etcd-certfile": "/var/lib/rancher/k3s/server/tls/etcd/client.crt",
    "etcd-keyfile": "/var/lib/rancher/k3s/server/tls/etcd/client.key",
    "etcd-servers": "https://127.0.0.1:2379",
    "kubelet-certificate-authority": "/var/lib/rancher/k3s/server/tls/server-ca.crt",
    "kubelet-client-certificate": "/var/lib/rancher/k3s/server/tls/client-kube-apiserver.crt",
    "kubelet-client-key": "/var/lib/rancher/k3s/server/tls/client-kube-apiserver.key",
    profiling: "false",
    "proxy-client-cert-file": "/var/lib/rancher/k3s/server/tls/client-auth-proxy.crt",
    "proxy-client-key-file": "/var/lib/rancher/k3s/server/tls/client-auth-proxy.key",
    "requestheader-client-ca-file": "/var/lib/rancher/k3s/server/tls/request-header-ca.crt",
    "secure-port": "6444",
    "service-account-issuer": "https://kubernetes.default.svc.cluster.local",
    "service-account-key-file": "/var/lib/rancher/k3s/server/tls/service.key",
    "service-account-signing-key-file": "/var/lib/rancher/k3s/server/tls/service.current.key",
    "service-cluster-ip-range": "10.43.0.0/16",
    "storage-backend": "etcd3",
    "tls-cert-file": "/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt",
    "tls-cipher-suites":
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "tls-private-key-file": "/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.key",
  },
  controllerManager: {
    "allocate-node-cidrs": "true",
    "authentication-kubeconfig": "/var/lib/rancher/k3s/server/cred/controller.kubeconfig",
    "authorization-kubeconfig": "/var/lib/rancher/k3s/server/cred/controller.kubeconfig",
    "bind-address": "127.0.0.1",
    "cluster-cidr": "10.42.0.0/16",
    "cluster-signing-kube-apiserver-client-cert-file": "/var/lib/rancher/k3s/server/tls/client-ca.nochain.crt",
    "configure-cloud-routes": "false",
    kubeconfig: "/var/lib/rancher/k3s/server/cred/controller.kubeconfig",
    profiling: "false",
    "root-ca-file": "/var/lib/rancher/k3s/server/tls/server-ca.crt",
    "secure-port": "10257",
    "service-account-private-key-file": "/var/lib/rancher/k3s/server/tls/service.current.key",
    "use-service-account-credentials": "true",
  },
  scheduler: {
    "authentication-kubeconfig": "/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig",
    "authorization-kubeconfig": "/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig",
    "bind-address": "127.0.0.1",
    kubeconfig: "/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig",
    profiling: "false",
    "secure-port": "10259",
  },
  kubelet: {
    "cloud-provider": "external",
    "config-dir": "/var/lib/rancher/k3s/agent/etc/kubelet.conf.d",
    containerd: "/run/k3s/containerd/containerd.sock",
    kubeconfig: "/var/lib/rancher/k3s/agent/kubelet.kubeconfig",
    "node-labels": "",
    "read-only-port": "0",
  },
  etcd: {},
};

/** The journal line prefix kube-bench greps for each component. */
export const JOURNAL_LINE_PREFIX: Record<ArgComponent, string> = {
  apiserver: "Running kube-apiserver",
  controllerManager: "Running kube-controller-manager",
  scheduler: "Running kube-scheduler",
  kubelet: "Running kubelet",
  etcd: "etcd config",
};

/**
 * Flags that are known to belong to exactly one component. A flag from this table under another
 * component's args is a mistake: the component rejects it and k3s crash-loops.
 */
export const COMPONENT_ONLY_FLAGS: Record<ArgComponent, readonly string[]> = {
  apiserver: [
    "admission-control-config-file",
    "audit-log-path",
    "audit-log-maxage",
    "audit-log-maxbackup",
    "audit-log-maxsize",
    "audit-policy-file",
    "enable-admission-plugins",
    "disable-admission-plugins",
    "encryption-provider-config",
    "etcd-cafile",
    "etcd-certfile",
    "etcd-keyfile",
    "kubelet-certificate-authority",
    "kubelet-client-certificate",
    "kubelet-client-key",
    "request-timeout",
    "service-account-lookup",
    "service-account-key-file",
    "service-account-extend-token-expiration",
    "token-auth-file",
  ],
  controllerManager: [
    "terminated-pod-gc-threshold",
    "use-service-account-credentials",
    "service-account-private-key-file",
    "root-ca-file",
  ],
  scheduler: [],
  kubelet: [
    "read-only-port",
    "streaming-connection-idle-timeout",
    "protect-kernel-defaults",
    "make-iptables-util-chains",
    "hostname-override",
    "event-qps",
    "event-burst",
    "rotate-certificates",
    "pod-max-pids",
    "kube-reserved",
    "system-reserved",
    "eviction-hard",
    "max-pods",
  ],
  etcd: ["cipher-suites", "client-cert-auth", "peer-client-cert-auth", "auto-tls", "peer-auto-tls"],
};

/**
 * Settings whose value weakens a CIS control, checked on the merged arguments of each component.
 * `bad` returns a reason when the value is unacceptable.
 */
export interface WeakeningRule {
  component: ArgComponent;
  flag: string;
  bad: (value: string) => string | undefined;
}

const isTrue = (v: string) => v.trim().toLowerCase() === "true";
/** A comma-separated flag value as the component parses it: items trimmed, empty items dropped. */
const items = (v: string) => v.split(",").map((x) => x.trim()).filter(Boolean);

/** Seconds of a Go duration ("5m", "1h30m", "0m0s", "300ms"), as time.ParseDuration reads it (no sign, no spaces); undefined when it is not one. */
export function goDurationSeconds(s: string): number | undefined {
  if (s === "0") return 0;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const parts = [...s.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join("") !== s) return undefined;
  return parts.reduce((sum, m) => sum + Number(m[1]) * unit[m[2]], 0);
}

/** Cipher suites outside the CIS list, or a reason when the value is not a list. */
const weakCiphers = (allowed: string) => (v: string) => {
  const ok = new Set(items(allowed));
  const weak = items(v).filter((c) => !ok.has(c));
  return items(v).length === 0 ? "an empty cipher list lets the component fall back to its defaults" : weak.length ? `${weak.join(", ")} not in the CIS list of strong cipher suites` : undefined;
};

export const WEAKENING_RULES: readonly WeakeningRule[] = [
  { component: "apiserver", flag: "anonymous-auth", bad: (v) => (isTrue(v) ? "allows anonymous requests to the API server" : undefined) },
  { component: "apiserver", flag: "profiling", bad: (v) => (isTrue(v) ? "exposes profiling data" : undefined) },
  {
    component: "apiserver",
    flag: "authorization-mode",
    bad: (v) => (items(v).includes("AlwaysAllow") ? "AlwaysAllow disables authorization" : !items(v).includes("RBAC") ? "RBAC must stay in the authorization modes" : undefined),
  },
  { component: "apiserver", flag: "kubelet-certificate-authority", bad: (v) => (v.trim() === "" ? "an empty CA turns off verification of kubelet serving certificates" : undefined) },
  ...["client-ca-file", "etcd-cafile", "etcd-certfile", "etcd-keyfile", "kubelet-client-certificate", "kubelet-client-key", "service-account-key-file", "tls-cert-file", "tls-private-key-file"].map(
    (flag): WeakeningRule => ({ component: "apiserver", flag, bad: (v) => (v.trim() === "" ? "an empty file turns off the TLS or token check it configures" : undefined) }),
  ),
  {
    component: "apiserver",
    flag: "disable-admission-plugins",
    bad: (v) => {
      const off = items(v).filter((p) => PROTECTED_ADMISSION_PLUGINS.includes(p));
      return off.length ? `turns off ${off.join(", ")}` : undefined;
    },
  },
  { component: "apiserver", flag: "insecure-port", bad: (v) => (v.trim() !== "0" ? "opens the unauthenticated port" : undefined) },
  { component: "apiserver", flag: "token-auth-file", bad: () => "static token files cannot be revoked" },
  { component: "apiserver", flag: "kubelet-https", bad: (v) => (!isTrue(v) ? "talks to kubelets without TLS" : undefined) },
  { component: "apiserver", flag: "service-account-lookup", bad: (v) => (!isTrue(v) ? "accepts tokens of deleted service accounts" : undefined) },
  {
    component: "apiserver",
    flag: "enable-admission-plugins",
    bad: (v) => (items(v).includes("AlwaysAdmit") ? "AlwaysAdmit disables admission control" : undefined),
  },
  { component: "controllerManager", flag: "profiling", bad: (v) => (isTrue(v) ? "exposes profiling data" : undefined) },
  { component: "controllerManager", flag: "use-service-account-credentials", bad: (v) => (!isTrue(v) ? "controllers would share one powerful credential" : undefined) },
  { component: "controllerManager", flag: "bind-address", bad: (v) => (v !== "127.0.0.1" ? "exposes the controller manager beyond loopback" : undefined) },
  { component: "scheduler", flag: "profiling", bad: (v) => (isTrue(v) ? "exposes profiling data" : undefined) },
  { component: "scheduler", flag: "bind-address", bad: (v) => (v !== "127.0.0.1" ? "exposes the scheduler beyond loopback" : undefined) },
  { component: "kubelet", flag: "anonymous-auth", bad: (v) => (isTrue(v) ? "allows anonymous requests to the kubelet" : undefined) },
  { component: "kubelet", flag: "authorization-mode", bad: (v) => (items(v).includes("AlwaysAllow") ? "AlwaysAllow disables kubelet authorization" : undefined) },
  { component: "kubelet", flag: "tls-cipher-suites", bad: weakCiphers(KUBELET_STRONG_CIPHERS) },
  { component: "kubelet", flag: "client-ca-file", bad: (v) => (v.trim() === "" ? "an empty client CA turns off client certificate authentication" : undefined) },
  { component: "kubelet", flag: "read-only-port", bad: (v) => (v.trim() !== "0" ? "opens the unauthenticated read-only port" : undefined) },
  {
    component: "kubelet",
    flag: "event-qps",
    bad: (v) => (v.trim() === "0" ? "0 means unlimited events, the opposite of what CIS asks; use a positive limit such as 5" : undefined),
  },
  {
    component: "kubelet",
    flag: "streaming-connection-idle-timeout",
    bad: (v) => {
      const s = goDurationSeconds(v);
      return s === undefined ? "not a duration (e.g. 5m)" : s === 0 ? "0 keeps idle streaming connections open forever" : undefined;
    },
  },
  { component: "kubelet", flag: "make-iptables-util-chains", bad: (v) => (!isTrue(v) ? "leaves iptables management to chance" : undefined) },
  { component: "kubelet", flag: "protect-kernel-defaults", bad: (v) => (!isTrue(v) ? "lets the kubelet run with unsafe kernel defaults" : undefined) },
  {
    component: "controllerManager",
    flag: "service-account-private-key-file",
    bad: (v) => (v.endsWith("/service.key") ? "k3s signs with service.current.key; pinning service.key breaks after key rotation" : undefined),
  },
  { component: "kubelet", flag: "rotate-certificates", bad: () => "k3s issues kubelet certificates itself; do not set rotate-certificates" },
  { component: "etcd", flag: "client-cert-auth", bad: (v) => (!isTrue(v) ? "lets clients reach etcd without a certificate" : undefined) },
  { component: "etcd", flag: "peer-client-cert-auth", bad: (v) => (!isTrue(v) ? "lets peers join etcd without a certificate" : undefined) },
  { component: "etcd", flag: "auto-tls", bad: (v) => (isTrue(v) ? "self-signed client certificates are not verified" : undefined) },
  { component: "etcd", flag: "peer-auto-tls", bad: (v) => (isTrue(v) ? "self-signed peer certificates are not verified" : undefined) },
  { component: "etcd", flag: "cipher-suites", bad: weakCiphers(APISERVER_STRONG_CIPHERS) },
];

/** Admission plugins the hardening relies on: turning one off weakens a CIS control. */
export const PROTECTED_ADMISSION_PLUGINS: readonly string[] = ["NodeRestriction", "EventRateLimit", "PodSecurity", "ServiceAccount", "DenyServiceExternalIPs"];

/** Admission plugins that must stay enabled whatever the configuration says. */
export const REQUIRED_ADMISSION_PLUGINS = ["NodeRestriction"] as const;

/** Pod Security Admission levels. */
export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** EventRateLimit limit types (eventratelimit.admission.k8s.io/v1alpha1). */
export const EVENT_RATE_LIMIT_TYPES = ["Server", "Namespace", "User", "SourceAndObject"] as const;

/** API versions used in the files we render. */
export const API_VERSIONS = {
  admissionConfiguration: "apiserver.config.k8s.io/v1",
  podSecurityConfiguration: "pod-security.admission.config.k8s.io/v1",
  eventRateLimitConfiguration: "eventratelimit.admission.k8s.io/v1alpha1",
  auditPolicy: "audit.k8s.io/v1",
} as const;

/**
 * Kubelet TLS cipher suites we set: of those kube-bench accepts (the catalog's list), only the ECDHE ones
 * (forward secrecy, AEAD), which is also what k3s uses by default.
 */
export const STRONG_TLS_CIPHER_SUITES: readonly string[] = KUBELET_STRONG_CIPHERS.split(",").filter((s) => s.startsWith("TLS_ECDHE_"));
