/**
 * Shared logic of the per-namespace stack policies: for each Namespace the stack creates, is there a
 * resource of the wanted sort inside it? During preview a new namespace's name, or the namespace a
 * resource takes from it, can be unknown; the resource's dependency on the Namespace decides then.
 * When neither decides, the namespace is left undecided and the policy ends with the SDK's unknown-value
 * error (an advisory "can't run during preview" note) after reporting what it could decide.
 */
import { asString, path, UnknownTracker } from "../rules/access";
import { resolveNamespace } from "../rules/exemptions";
import { STACK_TYPES } from "../rules/kinds";
import { StackOutcome, StackResource, StackRuleContext } from "../rules/types";

type Verdict = boolean | "undecided";

/** Whether `r` lives in namespace `ns`, whose name is `nsName` (undefined while unknown). */
function inNamespace(r: StackResource, ns: StackResource, nsName: string | undefined, tracker: UnknownTracker): Verdict {
  const own = tracker.read<string | undefined | null>(() => asString(path(r.props, "metadata", "namespace")), null);
  const edges = r.propertyDependencies.metadata ?? r.dependencies;
  if (edges.includes(ns.urn)) {
    // It depends on this Namespace (typically took its name from it): inside unless it names another one.
    return own === null || own === undefined || nsName === undefined || own === nsName;
  }
  // No edge: a namespace computed from some other resource's output is not this one.
  if (own === null) return false;
  if (nsName === undefined) return "undecided";
  const where = own ?? tracker.read(() => resolveNamespace({ obj: {}, providerNamespace: r.providerNamespace }), undefined);
  return where === undefined ? "undecided" : where === nsName;
}

export interface NamespaceRequirement {
  /** Resource types that can satisfy the requirement. */
  types: readonly string[];
  /** Does this resource satisfy it (read its outputs through `tracker`; unknown -> false + recorded)? */
  satisfies(r: StackResource, tracker: UnknownTracker): boolean;
  /** Violation text for a namespace that lacks it. */
  missing(nsName: string): string;
}

export function checkEachNamespace(resources: readonly StackResource[], ctx: StackRuleContext, req: NamespaceRequirement): StackOutcome {
  const namespaces = resources.filter((r) => r.type === STACK_TYPES.namespace);
  if (namespaces.length === 0) return { findings: [], exempted: [], notApplicable: "the stack creates no Namespace" };
  const candidates = resources.filter((r) => req.types.includes(r.type));
  const outcome: StackOutcome = { findings: [], exempted: [] };
  const undecided = new UnknownTracker();
  let exemptCount = 0;
  for (const ns of namespaces) {
    const tracker = new UnknownTracker();
    const nsName = tracker.read<string | undefined>(() => asString(path(ns.props, "metadata", "name")) ?? ns.name, undefined);
    if (nsName !== undefined) {
      const reason = ctx.exempt("Namespace", nsName);
      if (reason !== undefined) {
        exemptCount++;
        if (!outcome.exempted.includes(reason)) outcome.exempted.push(reason);
        continue;
      }
    }
    let open = false;
    const found = candidates.some((r) => {
      const inside = inNamespace(r, ns, nsName, tracker);
      if (inside === "undecided") open = true;
      return inside === true && req.satisfies(r, tracker);
    });
    if (found) continue;
    if (open || tracker.sawUnknown) {
      undecided.read(() => tracker.rethrow(), undefined);
      if (!undecided.sawUnknown) outcome.findings.push({ urn: ns.urn, message: req.missing(nsName ?? ns.name) });
      continue;
    }
    outcome.findings.push({ urn: ns.urn, message: req.missing(nsName ?? ns.name) });
  }
  if (exemptCount === namespaces.length) outcome.notApplicable = `every namespace is exempt: ${outcome.exempted.join("; ")}`;
  if (undecided.sawUnknown) {
    try {
      undecided.rethrow();
    } catch (e) {
      outcome.error = e;
    }
  }
  return outcome;
}
