import * as assert from "assert";
import { podTokenAutomount } from "../../../../../policy/rules/workload/sa-token-automount";
import { assertNoViolation, assertViolation, compliantWorkload, findings, forEachKind, itPassesBaselines, mutate, podSpec, remediated } from "../../helpers";

describe("cis-pod-sa-token-automount (5.1.6)", () => {
  itPassesBaselines(podTokenAutomount);

  it("flags a pod that leaves automountServiceAccountToken unset", () => {
    forEachKind((spec) => delete spec.automountServiceAccountToken, (obj) => assertViolation(findings(podTokenAutomount, obj), "does not set automountServiceAccountToken: false"));
  });

  it("flags automountServiceAccountToken: true, in a Patch too", () => {
    forEachKind((spec) => (spec.automountServiceAccountToken = true), (obj) => assertViolation(findings(podTokenAutomount, obj), "sets automountServiceAccountToken: true"));
    forEachKind((spec) => (spec.automountServiceAccountToken = true), (obj) => assertViolation(findings(podTokenAutomount, obj, { partial: true }), "true"));
  });

  it("does not judge an unset field in a Patch", () => {
    forEachKind((spec) => delete spec.automountServiceAccountToken, (obj) => assertNoViolation(findings(podTokenAutomount, obj, { partial: true })));
  });

  it("remediates an unset field to false and leaves an explicit true alone", () => {
    const unset = mutate(compliantWorkload("StatefulSet"), (o) => delete podSpec(o).automountServiceAccountToken);
    assert.strictEqual(podSpec(remediated(podTokenAutomount, unset)).automountServiceAccountToken, false);
    const explicit = mutate(compliantWorkload("StatefulSet"), (o) => (podSpec(o).automountServiceAccountToken = true));
    assert.deepStrictEqual(remediated(podTokenAutomount, explicit), explicit);
  });
});
