/**
 * Runs one resource rule over one resource, with exemptions: the single code path behind the CrossGuard
 * pack (policy/pack.ts), `npm run scan` and the benchmark.
 */
import { Control } from "../../components/cis";
import { isUnknownValueError } from "./access";
import { compileExemptions, containerExemption, ResourceIdentity, resolveNamespace, resourceExemption } from "./exemptions";
import { Finding, PropertyWrite, ResourceRule, ResourceTarget, RuleContext } from "./types";

export interface ResourceOutcome {
  /** Findings to report, exempt ones removed. */
  findings: Finding[];
  /** Set when exemptions made the resource not applicable: the reasons. */
  exemptedBy?: string[];
  /**
   * An error to raise after reporting `findings`: the SDK's unknown-value error (the engine turns it into
   * an advisory "can't run during preview" note) or a bug.
   */
  error?: unknown;
}

export function appliesTo(rule: ResourceRule, kind: string, partial: boolean): boolean {
  return rule.kinds.includes(kind) && !(partial && rule.skipPartial);
}

export function ruleContext(control: Control, target: ResourceTarget, options: { readonly [key: string]: unknown }): RuleContext {
  return {
    kind: target.kind,
    partial: target.partial,
    namespaced: target.namespaced,
    control,
    options,
    namespace: () => resolveNamespace(target),
  };
}

/**
 * Evaluates `rule` on `target` (caller checked `appliesTo`). `options` are the policy's config properties,
 * including `exemptions`.
 */
export function evaluateResource(
  rule: ResourceRule,
  control: Control,
  target: ResourceTarget,
  options: { readonly [key: string]: unknown },
): ResourceOutcome {
  const exemptions = compileExemptions(options.exemptions);
  const id = new ResourceIdentity(target);

  // Whole-resource exemption first. If an identity field is unknown (preview), decide later: only a
  // finding makes the answer matter.
  let identityError: unknown;
  if (exemptions.length > 0) {
    try {
      const hit = resourceExemption(exemptions, id);
      if (hit) return { findings: [], exemptedBy: [hit.reason] };
    } catch (e) {
      if (!isUnknownValueError(e)) throw e;
      identityError = e;
    }
  }

  const raw: Finding[] = [];
  let error: unknown;
  try {
    rule.check(target.obj, ruleContext(control, target, options), (f) => raw.push(f));
  } catch (e) {
    error = e;
  }
  if (raw.length === 0) return { findings: [], error };
  if (identityError !== undefined) return { findings: [], error: identityError };

  const findings: Finding[] = [];
  const reasons: string[] = [];
  for (const f of raw) {
    let hit;
    if (f.container !== undefined && exemptions.length > 0) {
      try {
        hit = containerExemption(exemptions, id, f.container);
      } catch (e) {
        if (!isUnknownValueError(e)) throw e;
        return { findings: [], error: e };
      }
    }
    if (hit) {
      if (!reasons.includes(hit.reason)) reasons.push(hit.reason);
    } else {
      findings.push(f);
    }
  }
  if (findings.length === 0 && error === undefined) return { findings, exemptedBy: reasons };
  return { findings, error };
}

/**
 * The remediation writes for `target`, or [] (Patch resources, exempt resources, rules without one).
 * May throw the SDK's unknown-value error; nothing is written then.
 */
export function remediationFor(
  rule: ResourceRule,
  control: Control,
  target: ResourceTarget,
  options: { readonly [key: string]: unknown },
): PropertyWrite[] {
  if (!rule.remediate || target.partial) return [];
  const exemptions = compileExemptions(options.exemptions);
  const id = new ResourceIdentity(target);
  if (exemptions.length > 0 && resourceExemption(exemptions, id)) return [];
  const writes = rule.remediate(target.obj, ruleContext(control, target, options));
  // A container exemption also shields the container from automatic changes.
  return writes.filter((w) => w.container === undefined || !containerExemption(exemptions, id, w.container));
}

/** Applies writes in place, creating missing objects on the way (works through the SDK's proxies). */
export function applyWrites(obj: { [key: string]: unknown }, writes: readonly PropertyWrite[]): void {
  for (const w of writes) {
    let cur: { [key: string | number]: unknown } = obj;
    for (let i = 0; i < w.path.length - 1; i++) {
      const key = w.path[i];
      const next = cur[key];
      if (typeof next !== "object" || next === null) cur[key] = {};
      cur = cur[key] as { [key: string | number]: unknown };
    }
    cur[w.path[w.path.length - 1]] = w.value;
  }
}
