/** Shared shape of the three host-namespace controls (5.2.3 hostPID, 5.2.4 hostIPC, 5.2.5 hostNetwork). */
import { Topic } from "../../../components/cis";
import { WORKLOAD_KINDS } from "../kinds";
import { podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export function hostNamespaceRule(
  name: string,
  topic: Topic,
  field: "hostPID" | "hostIPC" | "hostNetwork",
  what: string,
): ResourceRule {
  return {
    name,
    topic,
    description: `Checks that pods do not share the host's ${what} namespace (spec.${field}).`,
    kinds: WORKLOAD_KINDS,
    remediationSteps: `Remove ${field} from the pod spec or set it to false. A node agent that needs it gets an exemption with a reason in the policy config.`,
    check(obj, ctx, report) {
      if (podSpecOf(ctx.kind, obj)?.[field] === true) report({ message: `pod spec sets ${field}: true` });
    },
  };
}
