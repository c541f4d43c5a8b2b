/** Readers over Role/ClusterRole `rules` shared by the RBAC controls. */
import { asArray, asObject } from "../access";
import { KubeObject } from "../types";

export interface RbacRule {
  index: number;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  nonResourceURLs: string[];
}

function strings(v: unknown): string[] {
  return asArray(v).filter((x): x is string => typeof x === "string");
}

/** Every rule of a Role or ClusterRole (all of them, not just the first). */
export function rbacRulesOf(obj: KubeObject): RbacRule[] {
  return asArray(obj.rules).flatMap((r, index) => {
    const o = asObject(r);
    if (!o) return [];
    return [{ index, apiGroups: strings(o.apiGroups), resources: strings(o.resources), verbs: strings(o.verbs), nonResourceURLs: strings(o.nonResourceURLs) }];
  });
}

/** True when the rule covers `value` in `list` literally or through `*`. */
export function covers(list: readonly string[], value: string): boolean {
  return list.includes("*") || list.includes(value);
}

/** The verbs of `wanted` that the rule grants (through `*` too). */
export function grantedVerbs(rule: RbacRule, wanted: readonly string[]): string[] {
  return rule.verbs.includes("*") ? ["*"] : wanted.filter((v) => rule.verbs.includes(v));
}

/** True when the rule targets core-group `resource` (or every resource). */
export function targetsCoreResource(rule: RbacRule, resource: string): boolean {
  return covers(rule.apiGroups, "") && covers(rule.resources, resource);
}
