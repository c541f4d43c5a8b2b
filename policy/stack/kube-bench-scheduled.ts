/**
 * Project requirement (not a CIS control): the stack schedules kube-bench and keeps its evidence. A
 * kubernetes:batch/v1:CronJob has a container that runs kube-bench (image or command), and the stack
 * has a MinIO bucket (minio:index/s3Bucket:S3Bucket) for the reports.
 */
import { asArray, asString, UnknownTracker } from "../rules/access";
import { STACK_TYPES } from "../rules/kinds";
import { containersOf, podSpecOf } from "../rules/podspec";
import { StackOutcome, StackResource, StackRule } from "../rules/types";

const CRONJOB_TYPE = /^kubernetes:batch\/v1(beta1)?:CronJob$/;

function runsKubeBench(cronJob: StackResource): boolean {
  return containersOf(podSpecOf("CronJob", cronJob.props)).some((c) => {
    const words = [asString(c.spec.image), ...asArray(c.spec.command), ...asArray(c.spec.args)];
    return words.some((w) => typeof w === "string" && w.includes("kube-bench"));
  });
}

export const kubeBenchScheduled: StackRule = {
  name: "k3s-kube-bench-scheduled",
  description: "Checks that the stack schedules kube-bench in a CronJob and creates a MinIO bucket for its evidence.",
  remediationSteps:
    "Add the project's scheduled kube-bench component (a CronJob running kube-bench and uploading its JSON) together with the evidence store's MinIO S3Bucket.",
  severity: "high",
  check(resources) {
    if (!resources.some((r) => r.type.startsWith("kubernetes:"))) {
      return { findings: [], exempted: [], notApplicable: "the stack creates no Kubernetes resources" };
    }
    const outcome: StackOutcome = { findings: [], exempted: [] };
    const tracker = new UnknownTracker();
    const scheduled = resources.some((r) => CRONJOB_TYPE.test(r.type) && tracker.read(() => runsKubeBench(r), false));
    if (!scheduled) {
      if (tracker.sawUnknown) {
        try {
          tracker.rethrow();
        } catch (e) {
          outcome.error = e;
        }
      } else {
        outcome.findings.push({ message: "no CronJob in the stack runs kube-bench" });
      }
    }
    if (!resources.some((r) => r.type === STACK_TYPES.minioBucket)) {
      outcome.findings.push({ message: `no evidence bucket: the stack has no ${STACK_TYPES.minioBucket}` });
    }
    return outcome;
  },
};
