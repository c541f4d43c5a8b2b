/**
 * Validation of the stack configuration. It runs before any resource exists: a bad value stops
 * `pulumi preview` (and the render command) with every problem listed, each naming the key and the fix.
 */
import { isIP } from "node:net";
import { BenchmarkId, benchmarkForVersion, coversVersion, getBenchmark, isBenchmarkId, kubernetesMinor, rangeText, SUPPORTED_BENCHMARKS } from "../cis";
import {
  ARG_COMPONENTS,
  ArgComponent,
  COMPONENT_CONFIG_KEYS,
  COMPONENT_ONLY_FLAGS,
  EVENT_RATE_LIMIT_TYPES,
  goDurationSeconds,
  K3S_PATHS,
  K3S_SECRET_SETTINGS,
  K3S_SETTING_ALIASES,
  POD_SECURITY_LEVELS,
  REQUIRED_ADMISSION_PLUGINS,
  WEAKENING_RULES,
} from "../k3s/facts";
import { splitArg } from "../k3s/evaluate";
import * as D from "./defaults";
import { ConfigError, describe, DNS_LABEL, RawStackConfig, Reader as BaseReader } from "./reader";
import {
  AdmissionSettings,
  AuditRule,
  AuditSettings,
  EventRateLimit,
  HardeningProfile,
  K3sSettingValue,
  KubeletSettings,
  NodeSpec,
  PodSecurityDefaults,
  RolloutSettings,
  SecretValue,
  StackConfig,
} from "./types";

export { ConfigError, RawStackConfig } from "./reader";

export const CONFIG_KEYS = [
  "cluster",
  "benchmark",
  "k3sVersion",
  "nodes",
  "sshPrivateKey",
  "k3sToken",
  "audit",
  "admission",
  "kubelet",
  "embeddedEtcd",
  "secretsEncryption",
  "protectKernelDefaults",
  "terminatedPodGcThreshold",
  "requestTimeout",
  "extraArgs",
  "rollout",
  "restoreOnDestroy",
  "driftCheck",
] as const;

/** Top-level keys read by other capabilities (kube-bench, evidence, logs, service accounts). */
const CAPABILITY_KEYS = ["kubeBench", "evidence", "auditShipping", "serviceAccounts", "kubernetes"];

/** k3s settings the profile decides; a node may not override them through `k3sSettings`. */
const MANAGED_K3S_KEYS: Record<string, string> = {
  "protect-kernel-defaults": "protectKernelDefaults",
  "secrets-encryption": "secretsEncryption",
  "cluster-init": "embeddedEtcd",
  token: "k3sToken (a secret)",
  "agent-token": "k3sToken (a secret)",
  ...Object.fromEntries(ARG_COMPONENTS.map((c) => [COMPONENT_CONFIG_KEYS[c], `extraArgs.${c}`])),
};

/** Flags the profile decides, per component; extra args may not set them. */
const MANAGED_FLAGS: Record<ArgComponent, Record<string, string>> = {
  apiserver: {
    "audit-log-path": "audit.logPath",
    "audit-policy-file": "audit.policyPath",
    "audit-log-maxage": "audit.maxAgeDays",
    "audit-log-maxbackup": "audit.maxBackups",
    "audit-log-maxsize": "audit.maxSizeMb",
    "request-timeout": "requestTimeout",
    "admission-control-config-file": "admission.configPath",
    "enable-admission-plugins": "admission.plugins",
  },
  controllerManager: { "terminated-pod-gc-threshold": "terminatedPodGcThreshold" },
  scheduler: {},
  kubelet: {
    "event-qps": "kubelet.eventQps",
    "streaming-connection-idle-timeout": "kubelet.streamingConnectionIdleTimeout",
    "pod-max-pids": "kubelet.podMaxPids",
    "tls-cipher-suites": "kubelet.tlsCipherSuites",
    "seccomp-default": "kubelet.seccompDefault",
    "protect-kernel-defaults": "protectKernelDefaults",
  },
  etcd: {},
};

const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
const UNIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com) [A-Za-z0-9+/]+={0,2}( .*)?$/;
const FLAG_NAME = /^[a-z0-9][a-z0-9.-]*$/;

/** The stack configuration's reader: the shared one, plus file paths. */
class Reader extends BaseReader {
  absolutePath(key: string, v: unknown, def: string): string {
    const p = this.str(key, v, def);
    if (!p.startsWith("/") || p.endsWith("/") || p.includes("..") || /[\s'"`$\\]/.test(p)) {
      this.problem(key, `must be an absolute file path without spaces, quotes or "..", got ${JSON.stringify(p)}`);
      return def;
    }
    return p;
  }
}

/**
 * One spelling per address, to catch the same node listed twice: DNS names in lower case without the
 * trailing dot, IPv6 compressed (`0:0::1` = `::1`), IPv4-mapped IPv6 as IPv4.
 */
export function canonicalHost(host: string): string {
  if (isIP(host) === 6) {
    try {
      const v6 = new URL(`http://[${host}]`).hostname.slice(1, -1);
      const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
      if (!mapped) return v6;
      const [hi, lo] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
      return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
    } catch {
      return host.toLowerCase(); // a zone index (fe80::1%eth0) is not a URL host
    }
  }
  return isIP(host) === 4 ? host : host.toLowerCase().replace(/\.$/, "");
}

const NODE_KEYS = ["name", "host", "port", "user", "role", "sudo", "hostKey", "insecureIgnoreHostKey", "privateKey", "k3sSettings", "restoreOnDestroy"];

function readNodes(r: Reader, raw: RawStackConfig, defaultKey: SecretValue | undefined, restoreDefault: boolean): NodeSpec[] {
  const list = raw.values.nodes;
  if (!Array.isArray(list) || list.length === 0) {
    r.problem("nodes", "must list at least one node, e.g. [{name: cp-1, host: 10.0.0.11, role: server, hostKey: ...}]");
    return [];
  }
  const nodes: NodeSpec[] = [];
  const names = new Map<string, number>();
  const hosts = new Map<string, number>();
  list.forEach((item, i) => {
    const key = `nodes[${i}]`;
    const o = r.object(key, item);
    r.unknownKeys(key, o, NODE_KEYS);
    const name = r.str(`${key}.name`, o.name, undefined);
    if (name && !DNS_LABEL.test(name)) r.problem(`${key}.name`, `${JSON.stringify(name)} is not a valid node name (lower-case letters, digits and '-', at most 63)`);
    if (name && names.has(name)) r.problem(`${key}.name`, `duplicate node name ${JSON.stringify(name)} (also nodes[${names.get(name)}]); node names must be unique`);
    names.set(name, i);
    const host = r.str(`${key}.host`, o.host, undefined);
    if (host && isIP(host) === 0 && !(HOSTNAME.test(host) && !/^[0-9.]+$/.test(host))) {
      r.problem(`${key}.host`, `${JSON.stringify(host)} is not a valid address; use an IPv4/IPv6 address or a DNS name`);
    }
    const port = r.int(`${key}.port`, o.port, 22, 1, 65535);
    const endpoint = `${canonicalHost(host ?? "")}:${port}`;
    if (host && hosts.has(endpoint)) r.problem(`${key}.host`, `duplicate host ${JSON.stringify(host)} (also nodes[${hosts.get(endpoint)}]); each node needs its own address`);
    hosts.set(endpoint, i);
    const user = r.str(`${key}.user`, o.user, "root");
    if (!UNIX_USER.test(user)) r.problem(`${key}.user`, `${JSON.stringify(user)} is not a valid user name`);
    const role = r.oneOf(`${key}.role`, o.role, ["server", "agent"] as const, undefined);
    const sudo = r.bool(`${key}.sudo`, o.sudo, user !== "root");
    if (user !== "root" && !sudo) r.problem(`${key}.sudo`, `user ${JSON.stringify(user)} is not root; set sudo: true (passwordless sudo -n is required) or connect as root`);
    const insecureIgnoreHostKey = r.bool(`${key}.insecureIgnoreHostKey`, o.insecureIgnoreHostKey, false);
    let hostKey: string | undefined;
    if (o.hostKey !== undefined && o.hostKey !== null) {
      hostKey = r.str(`${key}.hostKey`, o.hostKey, undefined).trim();
      if (!HOST_KEY.test(hostKey)) r.problem(`${key}.hostKey`, `must be a public host key such as "ssh-ed25519 AAAA..." (see: ssh-keyscan -t ed25519 ${host || "<host>"})`);
    } else if (!insecureIgnoreHostKey) {
      r.problem(`${key}.hostKey`, `is missing; set it from \`ssh-keyscan -t ed25519 ${host || "<host>"}\` (verify it out of band), or set insecureIgnoreHostKey: true to skip verification knowingly`);
    }
    const privateKey = r.secret(`${key}.privateKey`, o.privateKey, "nodes", raw, `<secret: ${key}.privateKey>`) ?? defaultKey;
    if (!privateKey) r.problem(`${key}.privateKey`, "no SSH private key; set the stack-wide secret sshPrivateKey or a per-node secret privateKey");
    else if (!privateKey.value.startsWith("<secret") && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey.value)) {
      r.problem(`${key}.privateKey`, "does not look like a private key (expected a PEM or OpenSSH block)");
    }
    const { settings: k3sSettings, secrets: k3sSecrets } = readK3sSettings(r, raw, `${key}.k3sSettings`, o.k3sSettings);
    const restoreOnDestroy = r.bool(`${key}.restoreOnDestroy`, o.restoreOnDestroy, restoreDefault);
    nodes.push({
      name,
      host,
      port,
      user,
      role,
      sudo,
      hostKey,
      insecureIgnoreHostKey,
      privateKey: privateKey ?? { kind: "secret", value: "" },
      k3sSettings,
      k3sSecrets,
      restoreOnDestroy,
    });
  });
  if (nodes.length > 0 && !nodes.some((n) => n.role === "server")) {
    r.problem("nodes", "no node has role server; at least one server (control-plane) node is required");
  }
  return nodes;
}

function readK3sSettings(r: Reader, raw: RawStackConfig, key: string, v: unknown): { settings: Record<string, K3sSettingValue>; secrets: Record<string, SecretValue> } {
  const o = r.object(key, v);
  const out: Record<string, K3sSettingValue> = {};
  const secrets: Record<string, SecretValue> = {};
  for (const [k, val] of Object.entries(o)) {
    // The setting k3s reads for this key: aliases (`t` is `token`) and the append form (`token+`) included.
    const base = k.endsWith("+") ? k.slice(0, -1) : k;
    const setting = K3S_SETTING_ALIASES[base] ?? base;
    if (MANAGED_K3S_KEYS[setting]) {
      const spelling = setting === k ? "" : ` (k3s reads it as ${setting}${k.endsWith("+") ? ", appended" : ""})`;
      r.problem(`${key}.${k}`, `is managed by the hardening profile${spelling}; set ${MANAGED_K3S_KEYS[setting]} instead`);
      continue;
    }
    if (!/^[a-z0-9][a-z0-9-]*\+?$/.test(k)) {
      r.problem(`${key}.${k}`, "is not a k3s setting name (lower-case words joined by '-')");
      continue;
    }
    if (K3S_SECRET_SETTINGS.includes(setting)) {
      // A credential: a stack secret, never plain text in the stack file, in state or in outputs.
      const secret = r.secret(`${key}.${k}`, val, "nodes", raw, `<secret: ${key}.${k}>`);
      if (secret) secrets[k] = secret;
      continue;
    }
    if (setting === "write-kubeconfig-mode" && (typeof val === "string" || typeof val === "number")) {
      const mode = parseInt(String(val), 8);
      if (!/^0?[0-7]{3}$/.test(String(val)) || (mode & 0o077) !== 0) {
        r.problem(`${key}.${k}`, `${JSON.stringify(val)} lets other users read the admin kubeconfig (CIS checks it is 600 or stricter); use "0600" or leave it out`);
        continue;
      }
    }
    if (typeof val === "string" || typeof val === "number" || typeof val === "boolean") out[k] = val;
    else if (Array.isArray(val) && val.every((x) => typeof x === "string")) out[k] = val as string[];
    else r.problem(`${key}.${k}`, "must be a string, number, boolean or list of strings");
  }
  return { settings: out, secrets };
}

/**
 * Directories other programs (or k3s itself) use: the hardening makes the audit log's directory 0700 root,
 * and the log shipper mounts that directory, so the log needs a directory of its own.
 */
const SHARED_DIRECTORIES = new Set([
  "/", "/bin", "/boot", "/etc", "/home", "/lib", "/lib64", "/mnt", "/opt", "/root", "/sbin", "/srv", "/usr", "/usr/local",
  "/var", "/var/lib", "/var/log", "/var/cache", "/var/spool", "/var/opt", "/var/local", "/var/mail",
  "/etc/rancher", "/etc/rancher/k3s", "/var/lib/rancher", "/var/lib/rancher/k3s", "/var/lib/rancher/k3s/server",
  "/var/lib/rancher/k3s/agent", "/var/lib/kubelet", "/var/log/pods", "/var/log/containers",
]);
/** Trees that are temporary, virtual or another program's entirely. */
const FOREIGN_TREES = /^\/(tmp|var\/tmp|run|proc|sys|dev)(\/|$)/;

function auditLogPath(r: Reader, v: unknown): string {
  const p = r.absolutePath("audit.logPath", v, D.DEFAULT_AUDIT.logPath);
  const dir = p.slice(0, p.lastIndexOf("/")) || "/";
  if (SHARED_DIRECTORIES.has(dir) || FOREIGN_TREES.test(dir)) {
    r.problem(
      "audit.logPath",
      `${p} is in ${dir}, which other programs use: the hardening makes the log's directory 0700 root:root and the log shipper mounts it. ` +
        `Put the log in a directory of its own, e.g. /var/log/kube-audit/audit.log (default ${D.DEFAULT_AUDIT.logPath})`,
    );
    return D.DEFAULT_AUDIT.logPath;
  }
  return p;
}

/** Where the files the node script writes for k3s may go (besides the fixed K3S_PATHS). */
const MANAGED_FILE_ROOTS = ["/etc/rancher/", "/var/lib/rancher/", "/etc/kubernetes/"];

/**
 * The configurable files the node script writes must be distinct from each other and from the files it
 * always writes, must not be a folder it relies on, and must be under the roots k3s's files live in:
 * checked here, before anything is applied, instead of failing on the node after the kernel parameters
 * were set (a directory) or turning every run into a restart (the policy at the config.yaml path).
 */
function checkManagedPaths(r: Reader, profile: HardeningProfile): void {
  const fixed: Record<string, string> = {
    "config.yaml": K3S_PATHS.configFile,
    "the kernel parameter file": K3S_PATHS.sysctlFile,
  };
  const configured: Array<[string, string, string[]]> = [
    ["audit.policyPath", profile.audit.policyPath, MANAGED_FILE_ROOTS],
    ["admission.configPath", profile.admission.configPath, MANAGED_FILE_ROOTS],
    ["audit.logPath", profile.audit.logPath, ["/var/lib/rancher/", "/var/log/"]],
  ];
  const reserved = [K3S_PATHS.configDropInDir, K3S_PATHS.stateDir];
  configured.forEach(([key, p, roots], i) => {
    if (!roots.some((root) => p.startsWith(root))) {
      r.problem(key, `${p} is outside the folders k3s's files live in; use a path under ${roots.join(" or ")}`);
      return;
    }
    const clash = Object.entries(fixed).find(([, f]) => f === p) ?? configured.slice(0, i).find(([, q]) => q === p);
    if (clash) r.problem(key, `${p} is also ${clash[0]}; every file the hardening writes needs its own path`);
    const folder = reserved.find((d) => p === d || p.startsWith(`${d}/`));
    if (folder) r.problem(key, `${p} is ${p === folder ? "" : "inside "}${folder}, a folder the hardening or k3s keeps for itself; choose another path`);
    if (SHARED_DIRECTORIES.has(p)) r.problem(key, `${p} is a folder; it must be a file path`);
    const parentOf = [...Object.values(fixed), ...configured.map(([, q]) => q)].find((q) => q !== p && q.startsWith(`${p}/`));
    if (parentOf) r.problem(key, `${p} is a folder that holds ${parentOf}; it must be a file path`);
  });
}

const AUDIT_KEYS = ["logPath", "policyPath", "maxAgeDays", "maxBackups", "maxSizeMb", "rules", "omitStages"];
const AUDIT_LEVELS = ["None", "Metadata", "Request", "RequestResponse"] as const;

function readAudit(r: Reader, v: unknown): AuditSettings {
  const o = r.object("audit", v);
  r.unknownKeys("audit", o, AUDIT_KEYS);
  let rules: AuditRule[] = D.DEFAULT_AUDIT_RULES;
  if (o.rules !== undefined) {
    if (!Array.isArray(o.rules) || o.rules.length === 0) r.problem("audit.rules", "must be a non-empty list of audit rules");
    else {
      rules = o.rules.map((rule, i) => {
        const ro = r.object(`audit.rules[${i}]`, rule);
        r.oneOf(`audit.rules[${i}].level`, ro.level, AUDIT_LEVELS, undefined);
        return ro as unknown as AuditRule;
      });
      if (rules.every((x) => x.level === "None")) r.problem("audit.rules", "log nothing; CIS 3.2.1 needs a policy that records at least Metadata");
    }
  }
  return {
    logPath: auditLogPath(r, o.logPath),
    policyPath: r.absolutePath("audit.policyPath", o.policyPath, D.DEFAULT_AUDIT.policyPath),
    maxAgeDays: r.int("audit.maxAgeDays", o.maxAgeDays, D.DEFAULT_AUDIT.maxAgeDays, 30, 3650, "CIS asks for at least 30 days"),
    maxBackups: r.int("audit.maxBackups", o.maxBackups, D.DEFAULT_AUDIT.maxBackups, 10, 1000, "CIS asks for at least 10 files"),
    maxSizeMb: r.int("audit.maxSizeMb", o.maxSizeMb, D.DEFAULT_AUDIT.maxSizeMb, 100, 100000, "CIS asks for at least 100 MB"),
    rules,
    omitStages: r.strList("audit.omitStages", o.omitStages, [...D.DEFAULT_AUDIT.omitStages]),
  };
}

const ADMISSION_KEYS = ["plugins", "configPath", "podSecurity", "eventRateLimits"];

function readAdmission(r: Reader, v: unknown, benchmark: BenchmarkId): AdmissionSettings {
  const o = r.object("admission", v);
  r.unknownKeys("admission", o, ADMISSION_KEYS);
  const plugins = r.strList("admission.plugins", o.plugins, D.defaultAdmissionPlugins(getBenchmark(benchmark)));
  plugins.forEach((p, i) => {
    // One plugin per entry: "EventRateLimit,AlwaysAdmit" would slip AlwaysAdmit past the checks below.
    if (!/^[A-Z][A-Za-z0-9]*$/.test(p)) r.problem(`admission.plugins[${i}]`, `${JSON.stringify(p)} is not one admission plugin name; list each plugin as its own entry`);
  });
  for (const p of REQUIRED_ADMISSION_PLUGINS) {
    if (!plugins.includes(p)) r.problem("admission.plugins", `must include ${p}: the list replaces k3s's default, and without ${p} kubelets can modify other nodes (CIS 1.2.x); use [${[p, ...plugins].join(", ")}]`);
  }
  if (plugins.includes("AlwaysAdmit")) r.problem("admission.plugins", "AlwaysAdmit disables admission control; remove it");
  const psO = r.object("admission.podSecurity", o.podSecurity);
  r.unknownKeys("admission.podSecurity", psO, ["enforce", "audit", "warn", "version", "exemptions"]);
  const exO = r.object("admission.podSecurity.exemptions", psO.exemptions);
  r.unknownKeys("admission.podSecurity.exemptions", exO, ["namespaces", "usernames", "runtimeClasses"]);
  const d = D.DEFAULT_POD_SECURITY;
  const podSecurity: PodSecurityDefaults = {
    enforce: r.oneOf("admission.podSecurity.enforce", psO.enforce, POD_SECURITY_LEVELS, d.enforce),
    audit: r.oneOf("admission.podSecurity.audit", psO.audit, POD_SECURITY_LEVELS, d.audit),
    warn: r.oneOf("admission.podSecurity.warn", psO.warn, POD_SECURITY_LEVELS, d.warn),
    version: r.str("admission.podSecurity.version", psO.version, d.version),
    exemptions: {
      namespaces: r.strList("admission.podSecurity.exemptions.namespaces", exO.namespaces, d.exemptions.namespaces),
      usernames: r.strList("admission.podSecurity.exemptions.usernames", exO.usernames, d.exemptions.usernames),
      runtimeClasses: r.strList("admission.podSecurity.exemptions.runtimeClasses", exO.runtimeClasses, d.exemptions.runtimeClasses),
    },
  };
  if (!/^(latest|v1\.\d+)$/.test(podSecurity.version)) r.problem("admission.podSecurity.version", `must be "latest" or like "v1.30", got ${describe(podSecurity.version)}`);
  let eventRateLimits: EventRateLimit[] = o.eventRateLimits === undefined ? D.DEFAULT_EVENT_RATE_LIMITS : [];
  if (o.eventRateLimits !== undefined) {
    if (!Array.isArray(o.eventRateLimits)) r.problem("admission.eventRateLimits", "must be a list of limits");
    else {
      eventRateLimits = o.eventRateLimits.map((l, i) => {
        const k = `admission.eventRateLimits[${i}]`;
        const lo = r.object(k, l);
        r.unknownKeys(k, lo, ["type", "qps", "burst", "cacheSize"]);
        const type = r.oneOf(`${k}.type`, lo.type, EVENT_RATE_LIMIT_TYPES, undefined);
        const limit: EventRateLimit = {
          type,
          qps: r.int(`${k}.qps`, lo.qps, undefined, 1, 1_000_000),
          burst: r.int(`${k}.burst`, lo.burst, undefined, 1, 10_000_000),
        };
        if (lo.cacheSize !== undefined) limit.cacheSize = r.int(`${k}.cacheSize`, lo.cacheSize, undefined, 1, 10_000_000);
        else if (type !== "Server") limit.cacheSize = 4096;
        return limit;
      });
    }
  }
  if (plugins.includes("EventRateLimit") && eventRateLimits.length === 0) {
    r.problem("admission.eventRateLimits", "EventRateLimit is enabled but has no limits, and the API server will not start; add e.g. [{type: Server, qps: 5000, burst: 20000}] or remove EventRateLimit from admission.plugins");
  }
  return { plugins, configPath: r.absolutePath("admission.configPath", o.configPath, D.DEFAULT_ADMISSION_CONFIG_PATH), podSecurity, eventRateLimits };
}

function readKubelet(r: Reader, v: unknown): KubeletSettings {
  const o = r.object("kubelet", v);
  r.unknownKeys("kubelet", o, ["streamingConnectionIdleTimeout", "eventQps", "podMaxPids", "tlsCipherSuites", "seccompDefault"]);
  const timeout = r.str("kubelet.streamingConnectionIdleTimeout", o.streamingConnectionIdleTimeout, D.DEFAULT_KUBELET.streamingConnectionIdleTimeout);
  if (!goDurationSeconds(timeout)) {
    r.problem("kubelet.streamingConnectionIdleTimeout", `must be a positive duration such as "5m", got ${describe(timeout)} (0 keeps idle connections open forever)`);
  }
  const eventQps = r.int("kubelet.eventQps", o.eventQps, D.DEFAULT_KUBELET.eventQps, 1, 10000, "0 means unlimited events; use a positive limit such as 50");
  const settings: KubeletSettings = {
    streamingConnectionIdleTimeout: timeout,
    eventQps,
    tlsCipherSuites: r.strList("kubelet.tlsCipherSuites", o.tlsCipherSuites, [...D.DEFAULT_KUBELET.tlsCipherSuites]),
    seccompDefault: r.bool("kubelet.seccompDefault", o.seccompDefault, D.DEFAULT_KUBELET.seccompDefault),
  };
  const weakCiphers = WEAKENING_RULES.find((w) => w.component === "kubelet" && w.flag === "tls-cipher-suites")!.bad(settings.tlsCipherSuites.join(","));
  if (weakCiphers) r.problem("kubelet.tlsCipherSuites", `${weakCiphers}; use suites from the CIS list (the default is ${D.DEFAULT_KUBELET.tlsCipherSuites.join(",")})`);
  if (o.podMaxPids !== null) settings.podMaxPids = r.int("kubelet.podMaxPids", o.podMaxPids, D.DEFAULT_KUBELET.podMaxPids, 16, 4_194_304);
  return settings;
}

function readExtraArgs(r: Reader, v: unknown): Record<ArgComponent, string[]> {
  const o = r.object("extraArgs", v);
  r.unknownKeys("extraArgs", o, ARG_COMPONENTS);
  const out = Object.fromEntries(ARG_COMPONENTS.map((c) => [c, [] as string[]])) as Record<ArgComponent, string[]>;
  for (const component of ARG_COMPONENTS) {
    const list = r.strList(`extraArgs.${component}`, o[component], []);
    list.forEach((arg, i) => {
      const key = `extraArgs.${component}[${i}]`;
      if (arg.startsWith("-")) {
        r.problem(key, `${JSON.stringify(arg)}: write the flag without leading dashes, e.g. ${JSON.stringify(arg.replace(/^-+/, ""))}`);
        return;
      }
      const { name, op, value } = splitArg(arg);
      if (!arg.includes("=") || !FLAG_NAME.test(name)) {
        r.problem(key, `${JSON.stringify(arg)} is not of the form name=value`);
        return;
      }
      if (op !== "=") {
        r.problem(key, `${JSON.stringify(arg)}: "${op}" makes k3s pass the flag twice and kube-bench reads only the first; write the whole value with "="`);
        return;
      }
      const managedBy = MANAGED_FLAGS[component][name];
      if (managedBy) {
        r.problem(key, `${name} is set by the profile; set ${managedBy} instead`);
        return;
      }
      for (const other of ARG_COMPONENTS) {
        if (other !== component && COMPONENT_ONLY_FLAGS[other].includes(name)) {
          r.problem(key, `${name} is a ${other} flag, not a ${component} flag; move it to extraArgs.${other}`);
          return;
        }
      }
      for (const rule of WEAKENING_RULES) {
        if (rule.component === component && rule.flag === name) {
          const reason = rule.bad(value);
          if (reason) r.problem(key, `${name}=${value} weakens a CIS control: ${reason}; remove it`);
        }
      }
      out[component].push(arg);
    });
  }
  return out;
}

function readRollout(r: Reader, v: unknown): RolloutSettings {
  const o = r.object("rollout", v);
  r.unknownKeys("rollout", o, ["agentBatchSize", "healthTimeoutSeconds", "backupsToKeep"]);
  return {
    agentBatchSize: r.int("rollout.agentBatchSize", o.agentBatchSize, D.DEFAULT_ROLLOUT.agentBatchSize, 1, 1000),
    healthTimeoutSeconds: r.int("rollout.healthTimeoutSeconds", o.healthTimeoutSeconds, D.DEFAULT_ROLLOUT.healthTimeoutSeconds, 10, 3600),
    backupsToKeep: r.int("rollout.backupsToKeep", o.backupsToKeep, D.DEFAULT_ROLLOUT.backupsToKeep, 1, 100),
  };
}

/**
 * The profile: `benchmark` when set, else the one the version table gives for `k3sVersion`, else the
 * default. A profile that does not cover the stated version is an error naming both and the range.
 */
function readBenchmark(r: Reader, benchmarkValue: unknown, versionValue: unknown): { benchmark: BenchmarkId; k3sVersion?: string } {
  const versionRaw = versionValue === undefined || versionValue === null ? undefined : r.str("k3sVersion", versionValue, "");
  const minor = versionRaw === undefined ? undefined : kubernetesMinor(versionRaw);
  if (versionRaw !== undefined && minor === undefined) {
    r.problem("k3sVersion", `${describe(versionRaw)} is not a k3s version; write it as k3s prints it, e.g. "v1.33.4+k3s1" (or "v1.33")`);
  }
  const byVersion = minor === undefined ? undefined : benchmarkForVersion(minor);
  if (minor !== undefined && byVersion === undefined) {
    const oldest = getBenchmark(SUPPORTED_BENCHMARKS[0]);
    r.problem("k3sVersion", `k3s ${minor} is older than every supported profile (the oldest, ${oldest.id}, is for ${rangeText(oldest)}); upgrade k3s`);
  }
  if (benchmarkValue === undefined || benchmarkValue === null) {
    return { benchmark: byVersion ?? D.DEFAULT_BENCHMARK, ...(versionRaw !== undefined ? { k3sVersion: versionRaw } : {}) };
  }
  const benchmarkRaw = r.str("benchmark", benchmarkValue, D.DEFAULT_BENCHMARK);
  if (!isBenchmarkId(benchmarkRaw)) {
    r.problem("benchmark", `unknown benchmark ${JSON.stringify(benchmarkRaw)}; use one of ${SUPPORTED_BENCHMARKS.join(", ")}`);
    return { benchmark: byVersion ?? D.DEFAULT_BENCHMARK };
  }
  const bench = getBenchmark(benchmarkRaw);
  if (minor !== undefined && !coversVersion(bench, minor)) {
    const fix = byVersion ? `use ${byVersion}, or leave benchmark unset so that k3sVersion chooses it` : "leave benchmark unset";
    r.problem("benchmark", `${benchmarkRaw} is for Kubernetes ${rangeText(bench)}, but k3sVersion ${versionRaw} is ${minor}; ${fix}`);
  }
  return { benchmark: benchmarkRaw, ...(versionRaw !== undefined ? { k3sVersion: versionRaw } : {}) };
}

/** Validate raw stack configuration into a StackConfig, or throw ConfigError listing every problem. */
export function validateStackConfig(raw: RawStackConfig): StackConfig {
  const r = new Reader();
  const v = raw.values;
  for (const k of Object.keys(v)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k) && !CAPABILITY_KEYS.includes(k)) {
      r.problem(k, `unknown configuration key; known keys are ${[...CONFIG_KEYS, ...CAPABILITY_KEYS].join(", ")}`);
    }
  }
  const cluster = r.str("cluster", v.cluster, D.DEFAULT_CLUSTER_NAME);
  if (!DNS_LABEL.test(cluster)) r.problem("cluster", `${JSON.stringify(cluster)} must be a DNS label (lower-case letters, digits, '-')`);
  const { benchmark, k3sVersion } = readBenchmark(r, v.benchmark, v.k3sVersion);
  const defaultKey = r.secret("sshPrivateKey", v.sshPrivateKey, "sshPrivateKey", raw, "<secret: sshPrivateKey>");
  const k3sToken = r.secret("k3sToken", v.k3sToken, "k3sToken", raw, "<secret: k3sToken>");
  const restoreOnDestroy = r.bool("restoreOnDestroy", v.restoreOnDestroy, false);
  const nodes = readNodes(r, raw, defaultKey, restoreOnDestroy);
  const secretsEncryption = r.bool("secretsEncryption", v.secretsEncryption, false);
  const embeddedEtcd = r.bool("embeddedEtcd", v.embeddedEtcd, true);
  const profile: HardeningProfile = {
    benchmark,
    ...(k3sVersion !== undefined ? { k3sVersion } : {}),
    audit: readAudit(r, v.audit),
    admission: readAdmission(r, v.admission, benchmark),
    kubelet: readKubelet(r, v.kubelet),
    embeddedEtcd,
    secretsEncryption,
    protectKernelDefaults: r.bool("protectKernelDefaults", v.protectKernelDefaults, true),
    requestTimeout: r.str("requestTimeout", v.requestTimeout, D.DEFAULT_REQUEST_TIMEOUT),
    terminatedPodGcThreshold: r.int("terminatedPodGcThreshold", v.terminatedPodGcThreshold, D.DEFAULT_TERMINATED_POD_GC_THRESHOLD, 1, 1_000_000),
    extraArgs: readExtraArgs(r, v.extraArgs),
  };
  checkManagedPaths(r, profile);
  if (!goDurationSeconds(profile.requestTimeout)) {
    r.problem("requestTimeout", `must be a positive duration such as "60s", got ${describe(profile.requestTimeout)}`);
  }
  if (!profile.protectKernelDefaults) {
    r.warnings.push("protectKernelDefaults is false: CIS asks the kubelet to protect kernel defaults");
  }
  if (secretsEncryption) {
    r.warnings.push("secretsEncryption is on: it must be identical on all servers, and turning it on for a running HA cluster has failed in reported cases; plan a maintenance window and follow `k3s secrets-encrypt status`");
  }
  const servers = nodes.filter((n) => n.role === "server").length;
  if (embeddedEtcd && servers > 1 && servers % 2 === 0) {
    r.warnings.push(`embedded etcd with ${servers} servers: an even count tolerates no more failures than ${servers - 1}; use an odd number`);
  }
  const rollout = readRollout(r, v.rollout);
  const driftCheck = r.bool("driftCheck", v.driftCheck, true);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return { cluster, nodes, profile, rollout, k3sToken, restoreOnDestroy, driftCheck, warnings: r.warnings };
}
