/** CIS 5.2.12 (topic pod.host-path): pods mount no hostPath volumes. */
import { asArray, asObject, asString, readOr } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const podHostPath: ResourceRule = {
  name: "cis-pod-host-path",
  topic: "pod.host-path",
  description: "Checks that pods mount no hostPath volumes.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Replace the hostPath volume with a PersistentVolumeClaim, configMap, secret or emptyDir volume. Node agents that must read the host (kube-bench, log shippers) get an exemption with a reason in the policy config.",
  check(obj, ctx, report) {
    const volumes = asArray(podSpecOf(ctx.kind, obj)?.volumes);
    for (let i = 0; i < volumes.length; i++) {
      const v = asObject(volumes[i]);
      const hp = asObject(v?.hostPath);
      if (!v || !hp) continue;
      const name = readOr(() => asString(v.name) ?? `#${i}`, `#${i}`);
      const where = readOr(() => asString(hp.path) ?? "?", "(unknown path)");
      report({ message: `volume "${name}" mounts host path ${where}` });
    }
  },
};
