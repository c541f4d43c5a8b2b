/**
 * Types shared by the pure rule functions. Nothing here (or anywhere under policy/rules and policy/stack)
 * imports @pulumi/policy: the same rules run inside the CrossGuard pack (policy/pack.ts) and over plain
 * YAML in `npm run scan` (cli/scan.ts), which runs from the root package where @pulumi/policy is absent.
 */
import type { Control, Topic } from "../../components/cis";

/** A Kubernetes object (or a Pulumi resource's input properties), read defensively: any field may be absent. */
export type KubeObject = { readonly [key: string]: unknown };

/** How a kind is addressed and whether its objects live in a namespace. */
export interface KindInfo {
  /** Kubernetes kind, e.g. `Deployment`. */
  kind: string;
  /** API group, "" for the core group. */
  group: string;
  namespaced: boolean;
}

/** One resource as the rules see it: the object plus what the caller knows about where it comes from. */
export interface ResourceTarget {
  kind: string;
  namespaced: boolean;
  /**
   * True for Pulumi `*Patch` resources: fields may be absent because the patch leaves them alone, so a
   * rule judges only what is present.
   */
  partial: boolean;
  obj: KubeObject;
  /** The namespace a resource without `metadata.namespace` lands in (its provider's), when known. */
  providerNamespace?: () => string | undefined;
  /** Extra names an exemption's `name` glob may match (the Pulumi logical name in the engine). */
  aliases?: readonly string[];
}

/** One problem a rule found. `container` is set when the problem belongs to one container. */
export interface Finding {
  message: string;
  container?: string;
}

export type Report = (finding: Finding) => void;

/** What a rule is told about the resource under check. */
export interface RuleContext {
  readonly kind: string;
  readonly partial: boolean;
  readonly namespaced: boolean;
  /** The control of the selected benchmark this rule enforces. */
  readonly control: Control;
  /** The policy's config properties (schema defaults applied), e.g. `allowedCapabilities`. */
  readonly options: { readonly [key: string]: unknown };
  /** The namespace the resource lands in: metadata.namespace, else the provider's, else `default`. */
  namespace(): string;
}

/** A property write that a remediation performs; `path` starts at the resource's top level. */
export interface PropertyWrite {
  path: readonly (string | number)[];
  value: unknown;
  /** The container the write changes, if any (a container exemption shields it). */
  container?: string;
}

/** A JSON-schema fragment as the engine validates policy config (draft-7 subset). */
export interface JsonSchema {
  type?: "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";
  enum?: (string | number | boolean | null)[];
  description?: string;
  default?: string | number | boolean | null | object;
  items?: JsonSchema;
  properties?: { [key: string]: JsonSchema };
  required?: string[];
  additionalProperties?: boolean;
  minProperties?: number;
  minLength?: number;
  uniqueItems?: boolean;
}

/** A CIS control checked one resource at a time. */
export interface ResourceRule {
  /** Stable policy name, the same for every benchmark version, e.g. `cis-pod-privileged`. */
  name: string;
  /** Catalog topic; the control id comes from the selected benchmark. */
  topic: Topic;
  /** "Checks that ..." sentence. */
  description: string;
  /** Kinds the rule applies to (full objects and their Patch variants, unless `skipPartial`). */
  kinds: readonly string[];
  /** Patch resources never carry the judged fact (see the rule), so they are not applicable. */
  skipPartial?: boolean;
  /** Steps that fix a violation, ending with a period. */
  remediationSteps: string;
  /** Extra config properties of this policy, besides `exemptions`. */
  options?: { [key: string]: JsonSchema };
  check(obj: KubeObject, ctx: RuleContext, report: Report): void;
  /**
   * The safe-default fix, as writes on the resource, or [] when nothing is safe to change. Only a few
   * rules have one; it runs when the policy's enforcement level is `remediate`. Never called for Patch
   * resources (a write there would override the live object's value, not just fill a gap).
   */
  remediate?(obj: KubeObject, ctx: RuleContext): PropertyWrite[];
}

/** A resource of the stack as stack rules see it (its outputs, plus graph edges by URN). */
export interface StackResource {
  type: string;
  urn: string;
  name: string;
  props: KubeObject;
  /** URNs this resource depends on. */
  dependencies: readonly string[];
  /** URNs per top-level property, e.g. `metadata` -> the Namespace whose name it took. */
  propertyDependencies: { readonly [property: string]: readonly string[] };
  providerNamespace?: () => string | undefined;
}

/** A stack-level problem; `urn` pins it to one resource, otherwise it belongs to the stack. */
export interface StackFinding {
  message: string;
  urn?: string;
}

export interface StackRuleContext {
  /** The control of the selected benchmark, when the rule enforces one. */
  readonly control?: Control;
  readonly options: { readonly [key: string]: unknown };
  /** The benchmark the pack was loaded for, and where that choice came from. */
  readonly benchmark: string;
  readonly benchmarkSource: string;
  /** The reason of the exemption covering a part of the stack (`Namespace` or `Node` named `name`), if any. */
  exempt(kind: "Namespace" | "Node", name: string): string | undefined;
}

/** Result of a stack rule. */
export interface StackOutcome {
  findings: StackFinding[];
  /** Reasons of the exemptions that skipped parts of the stack. */
  exempted: string[];
  /** Set when nothing in the stack is in the rule's scope: why. */
  notApplicable?: string;
  /** The SDK's unknown-value error when part of the verdict could not be decided during preview. */
  error?: unknown;
}

/** A check over the whole stack (cross-resource facts). */
export interface StackRule {
  name: string;
  /** Catalog topic when the rule enforces a CIS control; project rules have none. */
  topic?: Topic;
  description: string;
  remediationSteps: string;
  /** Used when the rule has no catalog control. */
  severity?: "low" | "medium" | "high" | "critical";
  /** Overrides the default level derived from severity. */
  defaultLevel?: "advisory" | "mandatory";
  options?: { [key: string]: JsonSchema };
  /** Whether `exemptions` apply (matched against the stack's Namespaces or nodes, see stackExemption). */
  exemptable?: boolean;
  check(resources: readonly StackResource[], ctx: StackRuleContext): StackOutcome;
}
