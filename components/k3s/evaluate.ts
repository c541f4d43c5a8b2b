/**
 * Predicts kube-bench's verdicts for a node from the k3s configuration we render, without a cluster.
 *
 * kube-bench on k3s reads each component's flags from the newest `Running <component>` journal line. k3s
 * builds that line from its own defaults, replaced flag by flag by `<component>-arg` entries of the form
 * `name=value` (sorted by name). We rebuild the same line and apply kube-bench's test semantics:
 * a flag is found by substring, its value is what follows `=` up to white space, `set: false` means absent,
 * unknown operators never pass, and `bin_op` combines the items.
 */
import { Benchmark, CompareOp, Control, DecidedBy, FlagCheck, FlagComponent, FlagTestItem, Target } from "../cis/types";
import { ArgComponent, COMPONENT_CONFIG_KEYS, JOURNAL_LINE_PREFIX, K3S_DEFAULT_ARGS } from "./facts";

export type PredictedStatus = "PASS" | "FAIL" | "WARN" | "INFO" | "UNKNOWN";

/**
 * What decides a check: `config` the k3s configuration this project renders (predicted from it), or
 * one of the catalog's deciders for what the renderer cannot see (see DecidedBy).
 */
export type Decider = "config" | DecidedBy;

export interface Prediction {
  id: string;
  title: string;
  status: PredictedStatus;
  decidedBy: Decider;
  /** Why: the flag value seen, or why it is not predicted. */
  detail: string;
}

/** A Pod this stack runs, as the `policies` audits read it (from kubectl: spec fields, `containers` only). */
export interface StackPod {
  /** e.g. "Job kube-bench/kube-bench-cp-1-1a2b3c4d". */
  name: string;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostNetwork?: boolean;
  containers: Array<{ name: string; securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean } }>;
}

/** What the stack itself deploys that decides checks of the `policies` target. */
export interface StackFacts {
  /** The Pods this stack runs (scan Jobs and CronJobs, the log shipper); empty when unknown. */
  pods?: StackPod[];
  /**
   * Every namespace's `default` ServiceAccount gets automountServiceAccountToken: false at each `up`
   * (serviceAccounts enabled, with discovery, nothing but kube-system excluded).
   */
  defaultServiceAccountsLocked: boolean;
}

const NOT_PREDICTED: Record<DecidedBy, string> = {
  node: "decided on the node by files and processes k3s manages, not by rendered flags",
  stack: "decided by objects this stack deploys, which this configuration leaves out",
  cluster: "decided by what else runs in the cluster (RBAC, Pods, namespaces)",
  nothing: "kube-bench has no test for it",
};

/** The parts of a rendered k3s config.yaml the evaluator needs. */
export type K3sConfigDocument = Record<string, unknown>;

const FLAG_COMPONENT_TO_ARG: Record<FlagComponent, ArgComponent> = {
  apiserver: "apiserver",
  controllermanager: "controllerManager",
  scheduler: "scheduler",
  kubelet: "kubelet",
  etcd: "etcd",
};

/** Split `name=value` (value may contain `=`). */
export function splitArg(arg: string): { name: string; value: string; op: "=" | "+=" | "-=" } {
  const m = /^([^=+-][^=+]*?)(\+=|-=|=)(.*)$/s.exec(arg);
  if (!m) return { name: arg, value: "", op: "=" };
  return { name: m[1], op: m[2] as "=" | "+=" | "-=", value: m[3] };
}

function argList(doc: K3sConfigDocument, key: string): string[] {
  const v = doc[key];
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === "string") return [v];
  return [];
}

/**
 * The flags a component runs with: k3s's defaults, replaced by `name=value` entries from config.
 * `name+=value` adds a second occurrence after k3s's; `name-=value` one before it (k3s GetArgs).
 */
export function effectiveArgs(component: ArgComponent, doc: K3sConfigDocument): Array<[string, string]> {
  const values = new Map<string, string[]>();
  for (const [k, v] of Object.entries(K3S_DEFAULT_ARGS[component])) values.set(k, [v]);
  if (component === "apiserver" && doc["secrets-encryption"] === true) {
    values.set("encryption-provider-config", ["/var/lib/rancher/k3s/server/cred/encryption-config.json"]);
    values.set("encryption-provider-config-automatic-reload", ["true"]);
  }
  for (const raw of argList(doc, COMPONENT_CONFIG_KEYS[component])) {
    const { name, value, op } = splitArg(raw);
    const prev = values.get(name) ?? [];
    if (op === "=") values.set(name, [value]);
    else if (op === "+=") values.set(name, [...prev, value]);
    else values.set(name, [value, ...prev]);
  }
  const out: Array<[string, string]> = [];
  for (const name of [...values.keys()].sort()) {
    for (const v of values.get(name) ?? []) out.push([name, v]);
  }
  return out;
}

/** The journal line kube-bench would grep for this component. */
export function journalLine(component: ArgComponent, doc: K3sConfigDocument): string {
  const flags = effectiveArgs(component, doc).map(([k, v]) => `--${k}=${v}`);
  return `${JOURNAL_LINE_PREFIX[component]} ${flags.join(" ")}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** kube-bench's flag lookup: substring match, value after `=` or `: ` up to white space. */
export function findFlagValue(line: string, flag: string): { found: boolean; value: string } {
  if (line === "" || flag === "" || !line.includes(flag)) return { found: false, value: "" };
  const m = new RegExp(`(${escapeRegExp(flag)})(=|: *)*([^\\s]*) *`).exec(line);
  if (!m) return { found: true, value: "" };
  if (m[3] !== "") return { found: true, value: m[3] };
  return { found: true, value: flag.startsWith("--") ? "true" : m[1] };
}

function splitList(s: string): string[] {
  const clean = s.trim().replace(/,+$/, "");
  return clean === "" ? [] : clean.split(",").map((x) => x.trim());
}

/** kube-bench's compareOp. Unknown operators (kube-bench data has typos) never pass, as in kube-bench. */
export function compare(op: CompareOp | string, flagValue: string, expected: string): boolean {
  const lower = flagValue.toLowerCase();
  const isBool = lower === "true" || lower === "false";
  switch (op) {
    case "eq":
      return isBool ? lower === expected : flagValue === expected;
    case "noteq":
      return isBool ? lower !== expected : flagValue !== expected;
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const a = Number.parseInt(flagValue.trim(), 10);
      const b = Number.parseInt(expected.trim(), 10);
      if (!/^[+-]?\d+$/.test(flagValue.trim()) || Number.isNaN(b)) return false;
      if (op === "gt") return a > b;
      if (op === "gte") return a >= b;
      if (op === "lt") return a < b;
      return a <= b;
    }
    case "has":
      return flagValue.includes(expected);
    case "nothave":
      return !flagValue.includes(expected);
    case "regex":
      return new RegExp(expected).test(flagValue);
    case "valid_elements": {
      const s = splitList(flagValue);
      const t = splitList(expected);
      if (s.length === 0 && t.length === 0) return true;
      if (s.length === 0 || t.length === 0) return false;
      return s.every((x) => t.includes(x));
    }
    case "bitmask": {
      const requested = Number.parseInt(flagValue, 8);
      const max = Number.parseInt(expected, 8);
      if (Number.isNaN(requested) || Number.isNaN(max)) return false;
      return (max & requested) === requested;
    }
    default:
      return false;
  }
}

function evaluateItem(item: FlagTestItem, line: string): { pass: boolean; detail: string } {
  const { found, value } = findFlagValue(line, item.flag);
  const mustBeSet = item.set !== false;
  if (!mustBeSet) return { pass: !found, detail: found ? `${item.flag} is present (${value})` : `${item.flag} is absent` };
  if (found && item.compare) {
    const pass = compare(item.compare.op, value, item.compare.value);
    return { pass, detail: `${item.flag}=${value} (${item.compare.op} ${item.compare.value})` };
  }
  return { pass: found, detail: found ? `${item.flag} is present` : `${item.flag} is absent` };
}

/** Evaluate one flag check against a journal line, kube-bench style. */
export function evaluateFlagCheck(check: FlagCheck, line: string): { pass: boolean; detail: string } {
  const results = check.items.map((i) => evaluateItem(i, line));
  const pass = check.binOp === "or" ? results.some((r) => r.pass) : results.every((r) => r.pass);
  return { pass, detail: results.map((r) => r.detail).join("; ") };
}

/** Targets kube-bench runs on each role in this project (servers: control plane; agents: node). */
export const TARGETS_BY_ROLE: Record<"server" | "agent", readonly Target[]> = {
  server: ["master", "etcd", "controlplane", "node"],
  agent: ["node"],
};

/** What decides a control (the catalog's decider for checks the renderer cannot see). */
export function deciderOf(control: Control): Decider {
  const chk = control.check;
  if (chk.kind === "flag") return chk.component === "etcd" ? "node" : "config";
  if (chk.kind === "file") return "node";
  return chk.decidedBy;
}

/**
 * security-scan's per-Pod audits (k3s-cis-1.10 and later), as they judge one Pod: the pod-level fields
 * fail when present at all (the audit tests `-z` on kubectl's jsonpath output), the container fields
 * when set to anything but false, and only `spec.containers` is read.
 */
const POD_AUDITS: Partial<Record<NonNullable<Control["topic"]>, (pod: StackPod) => boolean>> = {
  "pod.privileged": (pod) => pod.containers.some((c) => c.securityContext?.privileged !== undefined && c.securityContext.privileged !== false),
  "pod.host-pid": (pod) => pod.hostPID !== undefined,
  "pod.host-ipc": (pod) => pod.hostIPC !== undefined,
  "pod.host-network": (pod) => pod.hostNetwork !== undefined,
  "pod.privilege-escalation": (pod) =>
    pod.containers.some((c) => c.securityContext?.allowPrivilegeEscalation !== undefined && c.securityContext.allowPrivilegeEscalation !== false),
};

/** The stack's own Pods that a per-Pod audit lists as not compliant: the check cannot pass while they run. */
function failingStackPods(control: Control, facts: StackFacts | undefined): string[] {
  const audit = control.topic ? POD_AUDITS[control.topic] : undefined;
  if (!audit || control.check.kind !== "other" || control.check.items.length === 0) return [];
  return (facts?.pods ?? []).filter(audit).map((p) => p.name);
}

/** The verdict on a check the stack's own objects decide, when they are deployed. */
function predictByStack(control: Control, facts: StackFacts | undefined): { pass: boolean; detail: string } | undefined {
  if (control.topic === "sa.default-not-used" && facts?.defaultServiceAccountsLocked) {
    return {
      pass: true,
      detail: "every namespace's default ServiceAccount is set to automountServiceAccountToken: false by this stack (namespaces created later: at the next up)",
    };
  }
  return undefined;
}

/** Predict one control for a node (or, for the `policies` target, for the cluster). */
export function predictControl(control: Control, doc: K3sConfigDocument, facts?: StackFacts): Prediction {
  const base = { id: control.id, title: control.title, decidedBy: deciderOf(control) };
  if (control.kind === "skip") return { ...base, status: "INFO", detail: "not applicable to k3s" };
  if (control.kind === "manual") return { ...base, status: "WARN", detail: "manual check, always WARN in kube-bench" };
  if (control.check.kind === "other" && control.check.decidedBy === "nothing") {
    return { ...base, status: "WARN", detail: "kube-bench has no test for it and reports WARN" };
  }
  if (control.check.kind === "other" && control.check.decidedBy === "stack") {
    const byStack = predictByStack(control, facts);
    if (byStack) return { ...base, status: byStack.pass ? "PASS" : control.scored ? "FAIL" : "WARN", detail: byStack.detail };
  }
  const ownPods = failingStackPods(control, facts);
  if (ownPods.length > 0) {
    const shown = ownPods.slice(0, 3).join(", ") + (ownPods.length > 3 ? ` and ${ownPods.length - 3} more` : "");
    return {
      ...base,
      decidedBy: "stack",
      status: control.scored ? "FAIL" : "WARN",
      detail: `this stack's own pods are listed as not compliant while they run: ${shown}`,
    };
  }
  if (base.decidedBy !== "config" || control.check.kind !== "flag") {
    return { ...base, status: "UNKNOWN", detail: NOT_PREDICTED[base.decidedBy === "config" ? "node" : base.decidedBy] };
  }
  const component = FLAG_COMPONENT_TO_ARG[control.check.component];
  const { pass, detail } = evaluateFlagCheck(control.check, journalLine(component, doc));
  // kube-bench reports an unscored check that does not pass as WARN, not FAIL.
  return { ...base, status: pass ? "PASS" : control.scored ? "FAIL" : "WARN", detail };
}

/** Predict every control kube-bench runs on a node of this role. */
export function predictNode(bench: Benchmark, role: "server" | "agent", doc: K3sConfigDocument): Prediction[] {
  const targets = TARGETS_BY_ROLE[role];
  return bench.controls.filter((c) => targets.includes(c.target)).map((c) => predictControl(c, doc));
}

/** Predict the cluster-wide `policies` target (section 5), run on servers. */
export function predictPolicies(bench: Benchmark, facts: StackFacts): Prediction[] {
  return bench.controls.filter((c) => c.target === "policies").map((c) => predictControl(c, {}, facts));
}

/** Controls predicted to FAIL, with their details. */
export function predictedFailures(bench: Benchmark, role: "server" | "agent", doc: K3sConfigDocument): Prediction[] {
  return predictNode(bench, role, doc).filter((p) => p.status === "FAIL");
}
