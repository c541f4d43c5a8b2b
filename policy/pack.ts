/**
 * Wraps the pure rules (policy/rules, policy/stack) as CrossGuard policies. Kept apart from main.ts,
 * which constructs the PolicyPack (and so starts the analyzer's gRPC server), so tests and the
 * benchmark can build and run the policies in-process. Only types come from @pulumi/policy here.
 */
import type {
  EnforcementLevel,
  PolicyPackArgs,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { Benchmark, Control, controlByTopic, getBenchmark } from "../components/cis";
import { asString } from "./rules/access";
import { BenchmarkChoice, configSchemaFor, defaultLevelFor, frameworkOf, policyProperties } from "./rules/config";
import { appliesTo, applyWrites, evaluateResource, remediationFor } from "./rules/evaluate";
import { compileExemptions, stackExemption } from "./rules/exemptions";
import { RESOURCE_RULES } from "./rules/index";
import { kindOfPulumiType } from "./rules/kinds";
import { KubeObject, ResourceRule, ResourceTarget, StackResource, StackRule } from "./rules/types";
import { STACK_RULES } from "./stack/index";

export const PACK_NAME = "k3s-cis";

/** What the policies need to know about the run. */
interface PackContext {
  bench: Benchmark;
  choice: BenchmarkChoice;
}

function tagsFor(control: Control | undefined, extra: string[]): string[] {
  return ["k3s", ...(control ? ["cis", `cis-${control.section}`] : ["project"]), ...extra];
}

/** The policy's properties with schema defaults filled in (the engine does the same; this covers a missing config). */
function optionsOf(getConfig: () => unknown, schema: ReturnType<typeof configSchemaFor>, name: string): { [key: string]: unknown } {
  const given = getConfig();
  return policyProperties({ [name]: typeof given === "object" && given !== null ? given : {} }, name, schema);
}

function targetOf(args: ResourceValidationArgs, kind: string, namespaced: boolean, partial: boolean): ResourceTarget {
  return {
    kind,
    namespaced,
    partial,
    obj: args.props as KubeObject,
    providerNamespace: () => asString(args.provider?.props?.namespace),
    aliases: [args.name],
  };
}

function resourcePolicy(rule: ResourceRule, ctx: PackContext): ResourceValidationPolicy | undefined {
  const control = controlByTopic(ctx.bench, rule.topic);
  if (!control) return undefined;
  const schema = configSchemaFor(rule.options);
  const suffix = ` [CIS ${control.id}, ${ctx.bench.id}]`;
  const scope = `applies to ${rule.kinds.join(", ")}${rule.skipPartial ? " (not Patch resources)" : ""}`;

  const policy: ResourceValidationPolicy = {
    name: rule.name,
    description: rule.description,
    displayName: `CIS ${control.id}: ${control.title}`,
    severity: control.severity,
    enforcementLevel: defaultLevelFor(control.severity),
    framework: frameworkOf(ctx.bench, control),
    remediationSteps: rule.remediationSteps,
    tags: tagsFor(control, rule.remediate ? ["remediable"] : []),
    configSchema: schema,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const kind = kindOfPulumiType(args.type);
      if (!kind || !appliesTo(rule, kind.kind, kind.partial)) args.notApplicable(scope);
      const options = optionsOf(() => args.getConfig(), schema, rule.name);
      const outcome = evaluateResource(rule, control, targetOf(args, kind.kind, kind.namespaced, kind.partial), options);
      for (const f of outcome.findings) report(f.message + suffix);
      if (outcome.error !== undefined) throw outcome.error;
      if (outcome.exemptedBy) args.notApplicable(`exempted: ${outcome.exemptedBy.join("; ")}`);
    },
  };
  if (rule.remediate) {
    policy.remediateResource = (args: ResourceValidationArgs) => {
      const kind = kindOfPulumiType(args.type);
      if (!kind || !appliesTo(rule, kind.kind, kind.partial)) return undefined;
      const options = optionsOf(() => args.getConfig(), schema, rule.name);
      const writes = remediationFor(rule, control, targetOf(args, kind.kind, kind.namespaced, kind.partial), options);
      if (writes.length === 0) return undefined;
      // The props object is the SDK's proxy; writes go through to the data it serialises back.
      applyWrites(args.props, writes);
      return args.props;
    };
  }
  return policy;
}

function stackResourceOf(r: PolicyResource): StackResource {
  const propertyDependencies: { [property: string]: string[] } = {};
  for (const [k, list] of Object.entries(r.propertyDependencies ?? {})) propertyDependencies[k] = list.map((d) => d.urn);
  return {
    type: r.type,
    urn: r.urn,
    name: r.name,
    props: r.props as KubeObject,
    dependencies: (r.dependencies ?? []).map((d) => d.urn),
    propertyDependencies,
    providerNamespace: () => asString(r.provider?.props?.namespace),
  };
}

function stackPolicy(rule: StackRule, ctx: PackContext): StackValidationPolicy | undefined {
  const control = rule.topic ? controlByTopic(ctx.bench, rule.topic) : undefined;
  if (rule.topic && !control) return undefined;
  const severity = control?.severity ?? rule.severity ?? "medium";
  const schema = configSchemaFor(rule.options, rule.exemptable === true);
  const suffix = control ? ` [CIS ${control.id}, ${ctx.bench.id}]` : "";
  const level: EnforcementLevel = rule.defaultLevel ?? defaultLevelFor(severity);
  return {
    name: rule.name,
    description: rule.description,
    displayName: control ? `CIS ${control.id}: ${control.title}` : rule.name,
    severity,
    enforcementLevel: level,
    ...(control ? { framework: frameworkOf(ctx.bench, control) } : {}),
    remediationSteps: rule.remediationSteps,
    tags: tagsFor(control, ["stack"]),
    configSchema: schema,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const options = optionsOf(() => args.getConfig(), schema, rule.name);
      const exemptions = compileExemptions(options.exemptions);
      const outcome = rule.check(args.resources.map(stackResourceOf), {
        control,
        options,
        benchmark: ctx.bench.id,
        benchmarkSource: ctx.choice.source,
        exempt: (kind, name) => stackExemption(exemptions, kind, name)?.reason,
      });
      for (const f of outcome.findings) report(f.message + suffix, f.urn);
      if (outcome.error !== undefined) throw outcome.error;
      if (outcome.findings.length === 0 && outcome.notApplicable) args.notApplicable(outcome.notApplicable);
    },
  };
}

/** Every policy of the pack for the chosen benchmark (a topic missing from it drops its policy). */
export function buildPolicies(choice: BenchmarkChoice): (ResourceValidationPolicy | StackValidationPolicy)[] {
  const ctx: PackContext = { bench: getBenchmark(choice.id), choice };
  const out: (ResourceValidationPolicy | StackValidationPolicy)[] = [];
  for (const rule of RESOURCE_RULES) {
    const p = resourcePolicy(rule, ctx);
    if (p) out.push(p);
  }
  for (const rule of STACK_RULES) {
    const p = stackPolicy(rule, ctx);
    if (p) out.push(p);
  }
  return out;
}

/** PolicyPack arguments for the chosen benchmark. */
export function buildPackArgs(choice: BenchmarkChoice): PolicyPackArgs {
  return {
    policies: buildPolicies(choice),
    displayName: `CIS Kubernetes Benchmark for k3s (${choice.id})`,
    description: `CIS checks (${choice.id}, selected by ${choice.source}) for workloads, RBAC, namespaces and each node's rendered k3s configuration, from the shared CIS catalog.`,
    provider: "kubernetes",
    tags: ["k3s", "cis", "kubernetes"],
  };
}
