/**
 * CIS 5.2.7 (topic pod.root): containers do not run as root. A container passes when its effective
 * (container over pod) runAsNonRoot is true or its effective runAsUser is a non-zero UID, and it never
 * runs as UID 0.
 */
import { WORKLOAD_KINDS } from "../kinds";
import { containerSecurityContext, forEachContainer, podSecurityContext, podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const podRunAsNonRoot: ResourceRule = {
  name: "cis-pod-run-as-non-root",
  topic: "pod.root",
  description: "Checks that no container runs as root: runAsNonRoot is true or runAsUser is a non-zero UID, on the pod or the container.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Set securityContext.runAsNonRoot: true (and a non-zero runAsUser if the image has no numeric USER) on the pod or on each container; never set runAsUser: 0.",
  check(obj, ctx, report) {
    const spec = podSpecOf(ctx.kind, obj);
    if (!spec) return;
    const pod = podSecurityContext(spec);
    forEachContainer(spec, (c) => {
      const own = containerSecurityContext(c);
      const nonRoot = own?.runAsNonRoot !== undefined ? own.runAsNonRoot : pod?.runAsNonRoot;
      const user = own?.runAsUser !== undefined ? own.runAsUser : pod?.runAsUser;
      if (user === 0) {
        report({ container: c.name, message: `${c.label} runs as UID 0 (securityContext.runAsUser: 0)` });
      } else if (nonRoot === true || (typeof user === "number" && user > 0)) {
        return;
      } else if (nonRoot === false) {
        report({ container: c.name, message: `${c.label} sets securityContext.runAsNonRoot: false without a non-zero runAsUser` });
      } else if (!ctx.partial) {
        report({ container: c.name, message: `${c.label} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set` });
      }
    });
  },
};
