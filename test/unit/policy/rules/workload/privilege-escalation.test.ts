import * as assert from "assert";
import { podPrivilegeEscalation } from "../../../../../policy/rules/workload/privilege-escalation";
import { assertNoViolation, assertViolation, compliantWorkload, findings, forEachKind, itPassesBaselines, mutate, podSpec, remediated } from "../../helpers";

describe("cis-pod-privilege-escalation (5.2.6)", () => {
  itPassesBaselines(podPrivilegeEscalation);

  it("flags allowPrivilegeEscalation: true", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.allowPrivilegeEscalation = true),
      (obj) => assertViolation(findings(podPrivilegeEscalation, obj), 'container "app" sets securityContext.allowPrivilegeEscalation: true', "app"),
    );
  });

  it("flags an absent allowPrivilegeEscalation (defaults to true), in init containers too", () => {
    forEachKind(
      (spec) => delete spec.initContainers[0].securityContext.allowPrivilegeEscalation,
      (obj) => assertViolation(findings(podPrivilegeEscalation, obj), "does not set securityContext.allowPrivilegeEscalation", "setup"),
    );
  });

  it("does not judge an absent field in a Patch", () => {
    forEachKind((spec) => delete spec.containers[0].securityContext, (obj) => assertNoViolation(findings(podPrivilegeEscalation, obj, { partial: true })));
  });

  it("remediates absent fields to false, but not beside privileged or SYS_ADMIN", () => {
    const obj = mutate(compliantWorkload("Deployment"), (o) => {
      delete podSpec(o).containers[0].securityContext.allowPrivilegeEscalation;
      delete podSpec(o).initContainers[0].securityContext;
    });
    const fixed = remediated(podPrivilegeEscalation, obj);
    assert.strictEqual(podSpec(fixed).containers[0].securityContext.allowPrivilegeEscalation, false);
    assert.strictEqual(podSpec(fixed).initContainers[0].securityContext.allowPrivilegeEscalation, false);
    assertNoViolation(findings(podPrivilegeEscalation, fixed));

    const privileged = mutate(obj, (o) => (podSpec(o).containers[0].securityContext.privileged = true));
    assert.strictEqual(podSpec(remediated(podPrivilegeEscalation, privileged)).containers[0].securityContext.allowPrivilegeEscalation, undefined);
    const sysAdmin = mutate(obj, (o) => (podSpec(o).containers[0].securityContext.capabilities = { add: ["SYS_ADMIN"] }));
    assert.strictEqual(podSpec(remediated(podPrivilegeEscalation, sysAdmin)).containers[0].securityContext.allowPrivilegeEscalation, undefined);
  });

  it("never remediates a Patch", () => {
    const obj = mutate(compliantWorkload("Deployment"), (o) => delete podSpec(o).containers[0].securityContext.allowPrivilegeEscalation);
    assert.deepStrictEqual(remediated(podPrivilegeEscalation, obj, { partial: true }), obj);
  });
});
