/** CIS 5.2.9 (topic pod.added-capabilities): containers add no capabilities beyond an allow list. */
import { path } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { capabilityList, containerSecurityContext, forEachContainer, podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const podAddedCapabilities: ResourceRule = {
  name: "cis-pod-added-capabilities",
  topic: "pod.added-capabilities",
  description: "Checks that no container adds Linux capabilities other than those in the policy's allowedCapabilities list (empty by default).",
  kinds: WORKLOAD_KINDS,
  options: {
    allowedCapabilities: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Capabilities a container may add, e.g. NET_BIND_SERVICE (with or without the CAP_ prefix).",
    },
  },
  remediationSteps:
    "Remove the capability from securityContext.capabilities.add, or list it in the policy's allowedCapabilities when every workload may have it, or exempt the workload with a reason.",
  check(obj, ctx, report) {
    const allowed = new Set(capabilityList(ctx.options.allowedCapabilities));
    forEachContainer(podSpecOf(ctx.kind, obj), (c) => {
      const extra = capabilityList(path(containerSecurityContext(c), "capabilities", "add")).filter((cap) => !allowed.has(cap));
      if (extra.length > 0) {
        report({ container: c.name, message: `${c.label} adds capabilities ${extra.join(", ")} (securityContext.capabilities.add)` });
      }
    });
  },
};
