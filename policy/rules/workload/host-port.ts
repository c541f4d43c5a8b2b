/** CIS 5.2.13 (topic pod.host-port): containers bind no host ports. */
import { asArray, asObject } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { forEachContainer, podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const podHostPort: ResourceRule = {
  name: "cis-pod-host-port",
  topic: "pod.host-port",
  description: "Checks that no container port sets a hostPort.",
  kinds: WORKLOAD_KINDS,
  remediationSteps: "Remove hostPort from the container's ports and expose the workload through a Service instead.",
  check(obj, ctx, report) {
    forEachContainer(podSpecOf(ctx.kind, obj), (c) => {
      for (const p of asArray(c.spec.ports)) {
        const hostPort = asObject(p)?.hostPort;
        // 0 is the API's "no host port".
        if (hostPort !== undefined && hostPort !== null && hostPort !== 0) {
          report({ container: c.name, message: `${c.label} binds hostPort ${String(hostPort)}` });
        }
      }
    });
  },
};
