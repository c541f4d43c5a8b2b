/** CIS 5.2.2 (topic pod.privileged): no privileged containers. */
import { WORKLOAD_KINDS } from "../kinds";
import { containerSecurityContext, forEachContainer, podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const podPrivileged: ResourceRule = {
  name: "cis-pod-privileged",
  topic: "pod.privileged",
  description: "Checks that no container, init container or ephemeral container runs privileged.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Remove securityContext.privileged from the container or set it to false. Grant the single capability the workload needs instead, or exempt it in the policy config with a reason.",
  check(obj, ctx, report) {
    forEachContainer(podSpecOf(ctx.kind, obj), (c) => {
      if (containerSecurityContext(c)?.privileged === true) {
        report({ container: c.name, message: `${c.label} sets securityContext.privileged: true` });
      }
    });
  },
};
