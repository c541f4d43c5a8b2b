import { podSecurityContextApplied } from "../../../../../policy/rules/workload/security-context";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-security-context (5.7.3)", () => {
  itPassesBaselines(podSecurityContextApplied);

  it("flags a container without a securityContext when the pod has none", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext;
        delete spec.containers[0].securityContext;
      },
      (obj) => assertViolation(findings(podSecurityContextApplied, obj), 'container "app" has no securityContext', "app"),
    );
  });

  it("treats an empty securityContext as none", () => {
    forEachKind(
      (spec) => {
        spec.securityContext = {};
        spec.initContainers[0].securityContext = {};
      },
      (obj) => assertViolation(findings(podSecurityContextApplied, obj), "has no securityContext", "setup"),
    );
  });

  it("passes containers without one when the pod sets one", () => {
    forEachKind((spec) => delete spec.containers[0].securityContext, (obj) => assertNoViolation(findings(podSecurityContextApplied, obj)));
  });

  it("does not judge a Patch", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext;
        delete spec.containers[0].securityContext;
      },
      (obj) => assertNoViolation(findings(podSecurityContextApplied, obj, { partial: true })),
    );
  });
});
