import * as assert from "assert";
import { podSeccomp } from "../../../../../policy/rules/workload/seccomp";
import { assertNoViolation, assertViolation, compliantWorkload, findings, forEachKind, itPassesBaselines, mutate, podSpec, remediated } from "../../helpers";

describe("cis-pod-seccomp (5.7.2)", () => {
  itPassesBaselines(podSeccomp);

  it("flags a pod without any seccomp profile", () => {
    forEachKind(
      (spec) => delete spec.securityContext.seccompProfile,
      (obj) => assertViolation(findings(podSeccomp, obj), 'container "app" has no seccomp profile', "app"),
    );
  });

  it("flags a container that opts out with Unconfined", () => {
    forEachKind(
      (spec) => (spec.initContainers[0].securityContext.seccompProfile = { type: "Unconfined" }),
      (obj) => assertViolation(findings(podSeccomp, obj), "seccomp profile Unconfined", "setup"),
    );
  });

  it("passes a container-level Localhost profile without a pod-level one", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext.seccompProfile;
        for (const c of [...spec.containers, ...spec.initContainers, ...(spec.ephemeralContainers ?? [])]) {
          c.securityContext.seccompProfile = { type: "Localhost", localhostProfile: "profiles/web.json" };
        }
      },
      (obj) => assertNoViolation(findings(podSeccomp, obj)),
    );
  });

  it("judges only explicit profiles in a Patch", () => {
    forEachKind((spec) => delete spec.securityContext.seccompProfile, (obj) => assertNoViolation(findings(podSeccomp, obj, { partial: true })));
    forEachKind(
      (spec) => (spec.securityContext.seccompProfile = { type: "Unconfined" }),
      (obj) => assertViolation(findings(podSeccomp, obj, { partial: true }), "Unconfined"),
    );
  });

  it("remediates a pod without a profile to pod-level RuntimeDefault", () => {
    const obj = mutate(compliantWorkload("CronJob"), (o) => delete podSpec(o).securityContext);
    const fixed = remediated(podSeccomp, obj);
    assert.deepStrictEqual(podSpec(fixed).securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    assertNoViolation(findings(podSeccomp, fixed));
  });

  it("leaves an explicit pod-level Unconfined to people", () => {
    const obj = mutate(compliantWorkload("Pod"), (o) => (podSpec(o).securityContext.seccompProfile = { type: "Unconfined" }));
    assert.deepStrictEqual(remediated(podSeccomp, obj), obj);
  });
});
