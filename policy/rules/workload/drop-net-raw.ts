/** CIS 5.2.8 (topic pod.net-raw): containers drop NET_RAW (or ALL) and never add it back. */
import { asArray, path } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { capabilityList, containerSecurityContext, containersOf, forEachContainer, podSpecOf, podSpecPath } from "../podspec";
import { PropertyWrite, ResourceRule } from "../types";

export const podDropNetRaw: ResourceRule = {
  name: "cis-pod-drop-net-raw",
  topic: "pod.net-raw",
  description: "Checks that every container drops the NET_RAW capability (directly or through ALL) and does not add it.",
  kinds: WORKLOAD_KINDS,
  options: {
    remediationDrop: {
      type: "string",
      enum: ["NET_RAW", "ALL"],
      default: "NET_RAW",
      description: "What the remediation appends to capabilities.drop: NET_RAW (safe for any image) or ALL.",
    },
  },
  remediationSteps:
    'Add "NET_RAW" (or "ALL") to securityContext.capabilities.drop of every container and remove NET_RAW from capabilities.add. At level remediate the pack appends the configured value (remediationDrop).',
  check(obj, ctx, report) {
    forEachContainer(podSpecOf(ctx.kind, obj), (c) => {
      const caps = path(containerSecurityContext(c), "capabilities");
      const add = capabilityList(path(caps, "add"));
      const dropValue = path(caps, "drop");
      const drop = capabilityList(dropValue);
      if (add.includes("NET_RAW") || add.includes("ALL")) {
        report({ container: c.name, message: `${c.label} adds ${add.includes("ALL") ? "ALL capabilities" : "NET_RAW"} (securityContext.capabilities.add)` });
      } else if (drop.includes("NET_RAW") || drop.includes("ALL")) {
        return;
      } else if (!ctx.partial || dropValue !== undefined) {
        // In a Patch a present drop list replaces the old one (it is an atomic list), so it is judged.
        report({ container: c.name, message: `${c.label} does not drop NET_RAW (securityContext.capabilities.drop has neither NET_RAW nor ALL)` });
      }
    });
  },
  remediate(obj, ctx) {
    const base = podSpecPath(ctx.kind);
    if (!base) return [];
    const value = ctx.options.remediationDrop === "ALL" ? "ALL" : "NET_RAW";
    const writes: PropertyWrite[] = [];
    for (const c of containersOf(podSpecOf(ctx.kind, obj))) {
      const caps = path(containerSecurityContext(c), "capabilities");
      const add = capabilityList(path(caps, "add"));
      const current = path(caps, "drop");
      const drop = capabilityList(current);
      // An explicit add of NET_RAW is a decision the pack leaves to people.
      if (add.includes("NET_RAW") || add.includes("ALL") || drop.includes("NET_RAW") || drop.includes("ALL")) continue;
      const kept = asArray(current).filter((x): x is string => typeof x === "string");
      writes.push({ path: [...base, c.sort, c.index, "securityContext", "capabilities", "drop"], value: [...kept, value], container: c.name });
    }
    return writes;
  },
};
