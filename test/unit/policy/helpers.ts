/**
 * Test helpers for the policy rules: a fully compliant baseline per workload kind (each case changes
 * one field), and runners over the same evaluation path the pack and the scanner use.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Benchmark, BenchmarkId, CURRENT_BENCHMARK, controlByTopic, getBenchmark, SUPPORTED_BENCHMARKS } from "../../../components/cis";
import { configSchemaFor, policyProperties } from "../../../policy/rules/config";
import { appliesTo, applyWrites, evaluateResource, remediationFor, ResourceOutcome } from "../../../policy/rules/evaluate";
import { compileExemptions, stackExemption } from "../../../policy/rules/exemptions";
import { kindOfManifest, pulumiTypeOf, WORKLOAD_KINDS } from "../../../policy/rules/kinds";
import { Finding, KubeObject, ResourceRule, ResourceTarget, StackOutcome, StackResource, StackRule } from "../../../policy/rules/types";

export const BENCH: Benchmark = getBenchmark("k3s-cis-1.7");
export const BENCHMARKS: BenchmarkId[] = [...SUPPORTED_BENCHMARKS];

export type Mutable = { [key: string]: any };

/** A compliant container: every container-level control passes. */
export function compliantContainer(name: string): Mutable {
  return {
    name,
    image: "registry.example.com/shop/web:1.4.2",
    ports: [{ containerPort: 8080, name: "http" }],
    env: [{ name: "MODE", value: "production" }],
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMounts: [{ name: "config", mountPath: "/etc/web", readOnly: true }],
  };
}

/** A compliant pod spec, with one container, one init container and (for Pods) one ephemeral container. */
export function compliantPodSpec(withEphemeral = false): Mutable {
  const spec: Mutable = {
    serviceAccountName: "web",
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
    initContainers: [compliantContainer("setup")],
    containers: [compliantContainer("app")],
    volumes: [{ name: "config", configMap: { name: "web-config" } }],
  };
  if (withEphemeral) spec.ephemeralContainers = [{ ...compliantContainer("debug"), ports: undefined }];
  return spec;
}

const API_VERSION: { [kind: string]: string } = {
  Pod: "v1",
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
};

/** A compliant workload of `kind`, named web in namespace shop. */
export function compliantWorkload(kind: string): Mutable {
  const metadata = { name: "web", namespace: "shop", labels: { app: "web" } };
  const template = { metadata: { labels: { app: "web" } }, spec: compliantPodSpec() };
  const base = { apiVersion: API_VERSION[kind], kind, metadata };
  switch (kind) {
    case "Pod":
      return { ...base, spec: compliantPodSpec(true) };
    case "Job":
      return { ...base, spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } } } };
    case "CronJob":
      return { ...base, spec: { schedule: "0 3 * * 0", jobTemplate: { spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } } } } } };
    default:
      return { ...base, spec: { selector: { matchLabels: { app: "web" } }, template } };
  }
}

export const POD_KINDS: readonly string[] = WORKLOAD_KINDS;

/** The pod spec inside a workload object (mutable), for one-field mutations. */
export function podSpec(obj: Mutable): Mutable {
  switch (obj.kind) {
    case "Pod":
      return obj.spec;
    case "CronJob":
      return obj.spec.jobTemplate.spec.template.spec;
    default:
      return obj.spec.template.spec;
  }
}

/** Deep copy, then apply `change`. */
export function mutate(obj: Mutable, change: (o: Mutable) => void): Mutable {
  const copy = structuredClone(obj);
  change(copy);
  return copy;
}

export interface RunOptions {
  partial?: boolean;
  options?: { [key: string]: unknown };
  providerNamespace?: string;
  bench?: Benchmark;
  aliases?: string[];
}

function targetFor(obj: KubeObject, opts: RunOptions): ResourceTarget {
  const kind = kindOfManifest(obj.apiVersion, obj.kind);
  if (!kind) throw new Error(`test object has no known kind: ${String(obj.kind)}`);
  return {
    kind: kind.kind,
    namespaced: kind.namespaced,
    partial: opts.partial ?? false,
    obj,
    providerNamespace: () => opts.providerNamespace,
    aliases: opts.aliases,
  };
}

function optionsFor(rule: { name: string; options?: ResourceRule["options"] }, given: { [key: string]: unknown } | undefined) {
  return policyProperties({ [rule.name]: given ?? {} }, rule.name, configSchemaFor(rule.options));
}

/** Runs a rule as the pack does (exemptions included); throws if the kind is out of scope. */
export function evaluate(rule: ResourceRule, obj: KubeObject, opts: RunOptions = {}): ResourceOutcome {
  const bench = opts.bench ?? BENCH;
  const control = controlByTopic(bench, rule.topic);
  if (!control) throw new Error(`no control for ${rule.topic}`);
  const target = targetFor(obj, opts);
  if (!appliesTo(rule, target.kind, target.partial)) throw new Error(`${rule.name} does not apply to ${target.kind}`);
  return evaluateResource(rule, control, target, optionsFor(rule, opts.options));
}

/** The findings of a rule on `obj` (fails the test on an unexpected error). */
export function findings(rule: ResourceRule, obj: KubeObject, opts: RunOptions = {}): Finding[] {
  const outcome = evaluate(rule, obj, opts);
  if (outcome.error !== undefined) throw outcome.error;
  return outcome.findings;
}

/** The object after the rule's remediation. */
export function remediated(rule: ResourceRule, obj: Mutable, opts: RunOptions = {}): Mutable {
  const control = controlByTopic(opts.bench ?? BENCH, rule.topic);
  if (!control) throw new Error(`no control for ${rule.topic}`);
  const copy = structuredClone(obj);
  applyWrites(copy, remediationFor(rule, control, targetFor(copy, opts), optionsFor(rule, opts.options)));
  return copy;
}

// --- stack rules -------------------------------------------------------------------------------------

let urnCounter = 0;

/** A stack resource of Pulumi `type` with outputs `props`. */
export function stackResource(type: string, name: string, props: Mutable, edges: { dependsOn?: StackResource[]; metadataFrom?: StackResource } = {}): StackResource {
  urnCounter++;
  return {
    type,
    urn: `urn:pulumi:dev::k3s-cis-hardening::${type}::${name}-${urnCounter}`,
    name: `${name}`,
    props,
    dependencies: [...(edges.dependsOn ?? []), ...(edges.metadataFrom ? [edges.metadataFrom] : [])].map((r) => r.urn),
    propertyDependencies: edges.metadataFrom ? { metadata: [edges.metadataFrom.urn] } : {},
    providerNamespace: () => undefined,
  };
}

export function namespaceResource(name: string): StackResource {
  return stackResource(pulumiTypeOf("Namespace"), name, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

export function runStackRule(rule: StackRule, resources: StackResource[], options: { [key: string]: unknown } = {}, benchmark: string = CURRENT_BENCHMARK): StackOutcome {
  const control = rule.topic ? controlByTopic(getBenchmark(benchmark as BenchmarkId), rule.topic) : undefined;
  const props = policyProperties({ [rule.name]: options }, rule.name, configSchemaFor(rule.options, rule.exemptable === true));
  const exemptions = compileExemptions(props.exemptions);
  return rule.check(resources, {
    control,
    options: props,
    benchmark,
    benchmarkSource: "test",
    exempt: (kind, name) => stackExemption(exemptions, kind, name)?.reason,
  });
}

// --- the policy pack's own dependencies ---------------------------------------------------------------

export const POLICY_DIR = path.resolve(__dirname, "../../../policy");

/** True when `npm ci` has run inside policy/ (needed for the SDK's proxy and for loading the pack). */
export function policyDepsInstalled(): boolean {
  return fs.existsSync(path.join(POLICY_DIR, "node_modules", "@pulumi", "policy", "package.json"));
}

/** @pulumi/policy's runtime exports used by tests (typed here: its .d.ts hides the proxy helpers). */
export interface PolicySdk {
  unknownCheckingProxy(props: unknown): any;
  UnknownValueError: new (...args: any[]) => Error;
}

export function loadPolicySdk(): PolicySdk {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require(require.resolve("@pulumi/policy", { paths: [POLICY_DIR] })) as PolicySdk;
}

/**
 * Props as the SDK's Remediate handler builds them: secrets unwrapped by its secrets-preserving proxy,
 * inside the unknown-checking proxy.
 */
export function remediationProps(sdk: PolicySdk, props: unknown): any {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const secret = require(require.resolve("@pulumi/policy/secret", { paths: [POLICY_DIR] })) as { secretsPreservingProxy(x: unknown): unknown };
  return sdk.unknownCheckingProxy(secret.secretsPreservingProxy(props));
}

/** The sentinel the engine sends for an unknown string (a property the SDK's proxy refuses to read). */
export function unknownString(sdk: PolicySdk): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const proxy = require(require.resolve("@pulumi/policy/proxy", { paths: [POLICY_DIR] })) as { unknownStringValue: string };
  void sdk;
  return proxy.unknownStringValue;
}

// --- spec scaffolding -----------------------------------------------------------------------------------

/** Asserts one finding whose message contains `text` (and container, when given). */
export function assertViolation(found: Finding[], text: string, container?: string): void {
  const hit = found.find((f) => f.message.includes(text) && (container === undefined || f.container === container));
  assert.ok(hit, `expected a finding containing ${JSON.stringify(text)}${container ? ` for ${container}` : ""}, got ${JSON.stringify(found)}`);
}

export function assertNoViolation(found: Finding[]): void {
  assert.deepStrictEqual(found, []);
}

/** The compliant baseline of every workload kind passes, in full and as a Patch. */
export function itPassesBaselines(rule: ResourceRule, kinds: readonly string[] = POD_KINDS): void {
  it("passes the compliant baseline of every kind, full and Patch", () => {
    for (const kind of kinds) {
      assertNoViolation(findings(rule, compliantWorkload(kind)));
      assertNoViolation(findings(rule, compliantWorkload(kind), { partial: true }));
    }
  });
}

/** Runs `check` for every workload kind with `change` applied to its pod spec. */
export function forEachKind(change: (spec: Mutable, obj: Mutable) => void, check: (obj: Mutable, kind: string) => void, kinds: readonly string[] = POD_KINDS): void {
  for (const kind of kinds) check(mutate(compliantWorkload(kind), (o) => change(podSpec(o), o)), kind);
}

/** A compliant Role (namespaced) or ClusterRole: explicit, read-only, no secrets. */
export function compliantRole(kind: "Role" | "ClusterRole" = "Role"): Mutable {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: kind === "Role" ? { name: "web-reader", namespace: "shop" } : { name: "web-reader" },
    rules: [
      { apiGroups: [""], resources: ["configmaps", "services"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] },
    ],
  };
}

/** A compliant RoleBinding or ClusterRoleBinding to a dedicated ServiceAccount. */
export function compliantBinding(kind: "RoleBinding" | "ClusterRoleBinding" = "RoleBinding"): Mutable {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: kind === "RoleBinding" ? { name: "web-reader", namespace: "shop" } : { name: "web-reader" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: kind === "RoleBinding" ? "Role" : "ClusterRole", name: "web-reader" },
    subjects: [{ kind: "ServiceAccount", name: "web", namespace: "shop" }],
  };
}
