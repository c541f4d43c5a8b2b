/** CIS 5.1.6 (topic sa.token-automount): pods mount a service account token only where needed. */
import { WORKLOAD_KINDS } from "../kinds";
import { podSpecOf, podSpecPath } from "../podspec";
import { ResourceRule } from "../types";

export const podTokenAutomount: ResourceRule = {
  name: "cis-pod-sa-token-automount",
  topic: "sa.token-automount",
  description: "Checks that pods set automountServiceAccountToken to false; a workload that calls the Kubernetes API is exempted with a reason.",
  kinds: WORKLOAD_KINDS,
  remediationSteps:
    "Set automountServiceAccountToken: false in the pod spec. A workload that talks to the API keeps its token through an exemption with a reason in the policy config. At level remediate the pack sets false where the field is absent.",
  check(obj, ctx, report) {
    const spec = podSpecOf(ctx.kind, obj);
    if (!spec) return;
    const value = spec.automountServiceAccountToken;
    if (value === false) return;
    if (value === undefined) {
      if (!ctx.partial) report({ message: "pod spec does not set automountServiceAccountToken: false (a token is mounted by default)" });
    } else {
      report({ message: `pod spec sets automountServiceAccountToken: ${String(value)}` });
    }
  },
  remediate(obj, ctx) {
    const base = podSpecPath(ctx.kind);
    const spec = podSpecOf(ctx.kind, obj);
    if (!base || !spec || spec.automountServiceAccountToken !== undefined) return [];
    return [{ path: [...base, "automountServiceAccountToken"], value: false }];
  },
};
