/**
 * CIS 5.7.3 (topic pod.security-context): security contexts are applied. Every container has a
 * non-empty securityContext of its own or inherits a non-empty pod-level one.
 */
import { asObject } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { forEachContainer, podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

function nonEmpty(v: unknown): boolean {
  const o = asObject(v);
  return o !== undefined && Object.keys(o).length > 0;
}

export const podSecurityContextApplied: ResourceRule = {
  name: "cis-pod-security-context",
  topic: "pod.security-context",
  description: "Checks that every container has a security context, its own or the pod's.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Give the pod spec a securityContext (runAsNonRoot, seccompProfile, fsGroup) and each container one (allowPrivilegeEscalation: false, capabilities.drop, readOnlyRootFilesystem).",
  check(obj, ctx, report) {
    // A Patch that leaves security contexts out keeps the live ones; nothing to judge.
    if (ctx.partial) return;
    const spec = podSpecOf(ctx.kind, obj);
    if (!spec || nonEmpty(spec.securityContext)) return;
    forEachContainer(spec, (c) => {
      if (!nonEmpty(c.spec.securityContext)) {
        report({ container: c.name, message: `${c.label} has no securityContext and the pod sets none` });
      }
    });
  },
};
