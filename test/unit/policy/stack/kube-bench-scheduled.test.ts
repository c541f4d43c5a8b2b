import * as assert from "assert";
import { STACK_TYPES } from "../../../../policy/rules/kinds";
import { kubeBenchScheduled } from "../../../../policy/stack/kube-bench-scheduled";
import { compliantWorkload, mutate, namespaceResource, podSpec, runStackRule, stackResource } from "../helpers";

function kubeBenchCronJob(image = "docker.io/aquasec/kube-bench:v0.10.6") {
  return stackResource(
    STACK_TYPES.cronJob,
    "kube-bench",
    mutate(compliantWorkload("CronJob"), (o) => (podSpec(o).containers[0].image = image)),
  );
}
const bucket = () => stackResource(STACK_TYPES.minioBucket, "evidence", { bucket: "cis-evidence" });

describe("k3s-kube-bench-scheduled (stack)", () => {
  it("passes with a kube-bench CronJob and a MinIO bucket", () => {
    assert.deepStrictEqual(runStackRule(kubeBenchScheduled, [namespaceResource("cis"), kubeBenchCronJob(), bucket()]).findings, []);
  });

  it("recognises kube-bench by its command when the image is a wrapper", () => {
    const cj = kubeBenchCronJob("registry.example.com/tools/scanner:1");
    (cj.props as any).spec.jobTemplate.spec.template.spec.containers[0].command = ["kube-bench", "run", "--json"];
    assert.deepStrictEqual(runStackRule(kubeBenchScheduled, [cj, bucket()]).findings, []);
  });

  it("reports a missing CronJob and a missing bucket at stack level", () => {
    const outcome = runStackRule(kubeBenchScheduled, [namespaceResource("cis"), kubeBenchCronJob("nginx:1.27")]);
    assert.deepStrictEqual(outcome.findings.map((f) => f.message), [
      "no CronJob in the stack runs kube-bench",
      `no evidence bucket: the stack has no ${STACK_TYPES.minioBucket}`,
    ]);
    assert.ok(outcome.findings.every((f) => f.urn === undefined));
  });

  it("is not applicable to a stack without Kubernetes resources", () => {
    assert.ok(runStackRule(kubeBenchScheduled, [bucket()]).notApplicable);
  });
});
