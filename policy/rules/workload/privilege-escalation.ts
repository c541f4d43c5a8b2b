/** CIS 5.2.6 (topic pod.privilege-escalation): containers set allowPrivilegeEscalation: false. */
import { path } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { capabilityList, containerSecurityContext, containersOf, forEachContainer, podSpecOf, podSpecPath } from "../podspec";
import { PropertyWrite, ResourceRule } from "../types";

export const podPrivilegeEscalation: ResourceRule = {
  name: "cis-pod-privilege-escalation",
  topic: "pod.privilege-escalation",
  description: "Checks that every container sets securityContext.allowPrivilegeEscalation to false.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral container. At level remediate the pack sets it where the container is neither privileged nor adds SYS_ADMIN.",
  check(obj, ctx, report) {
    forEachContainer(podSpecOf(ctx.kind, obj), (c) => {
      const value = containerSecurityContext(c)?.allowPrivilegeEscalation;
      // Absent means allowed (the kernel default); a Patch that leaves it out changes nothing.
      if (value === false || (value === undefined && ctx.partial)) return;
      report({
        container: c.name,
        message:
          value === undefined
            ? `${c.label} does not set securityContext.allowPrivilegeEscalation (defaults to true)`
            : `${c.label} sets securityContext.allowPrivilegeEscalation: ${String(value)}`,
      });
    });
  },
  remediate(obj, ctx) {
    const base = podSpecPath(ctx.kind);
    if (!base) return [];
    const writes: PropertyWrite[] = [];
    for (const c of containersOf(podSpecOf(ctx.kind, obj))) {
      const sc = containerSecurityContext(c);
      if (sc?.allowPrivilegeEscalation === false) continue;
      // The API server rejects allowPrivilegeEscalation: false next to privileged or an added SYS_ADMIN.
      if (sc?.privileged === true || capabilityList(path(sc, "capabilities", "add")).includes("SYS_ADMIN")) continue;
      writes.push({ path: [...base, c.sort, c.index, "securityContext", "allowPrivilegeEscalation"], value: false, container: c.name });
    }
    return writes;
  },
};
