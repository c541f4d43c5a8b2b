/** CIS 5.7.2 (topic pod.seccomp): every container runs with the RuntimeDefault or a Localhost seccomp profile. */
import { asString, path } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { containerSecurityContext, forEachContainer, podSecurityContext, podSpecOf, podSpecPath } from "../podspec";
import { ResourceRule } from "../types";

const CONFINED = new Set(["RuntimeDefault", "Localhost"]);

export const podSeccomp: ResourceRule = {
  name: "cis-pod-seccomp",
  topic: "pod.seccomp",
  description: "Checks that every container runs with the RuntimeDefault or a Localhost seccomp profile, set on the pod or the container.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Set securityContext.seccompProfile.type: RuntimeDefault on the pod spec (containers inherit it) and remove any Unconfined profile. At level remediate the pack sets the pod-level RuntimeDefault when the pod has no profile.",
  check(obj, ctx, report) {
    const spec = podSpecOf(ctx.kind, obj);
    if (!spec) return;
    const podType = path(podSecurityContext(spec), "seccompProfile", "type");
    forEachContainer(spec, (c) => {
      const ownType = path(containerSecurityContext(c), "seccompProfile", "type");
      const type = ownType !== undefined ? ownType : podType;
      const name = asString(type);
      if (name !== undefined && CONFINED.has(name)) return;
      if (type === undefined) {
        if (!ctx.partial) report({ container: c.name, message: `${c.label} has no seccomp profile (runs Unconfined); set seccompProfile.type: RuntimeDefault` });
      } else {
        report({ container: c.name, message: `${c.label} runs with seccomp profile ${String(type)}` });
      }
    });
  },
  remediate(obj, ctx) {
    const base = podSpecPath(ctx.kind);
    const spec = podSpecOf(ctx.kind, obj);
    if (!base || !spec) return [];
    if (path(podSecurityContext(spec), "seccompProfile", "type") !== undefined) return [];
    return [{ path: [...base, "securityContext", "seccompProfile", "type"], value: "RuntimeDefault" }];
  },
};
