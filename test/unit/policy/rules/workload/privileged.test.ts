import { podPrivileged } from "../../../../../policy/rules/workload/privileged";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-privileged (5.2.2)", () => {
  itPassesBaselines(podPrivileged);

  it("flags a privileged container in every kind", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.privileged = true),
      (obj) => assertViolation(findings(podPrivileged, obj), 'container "app" sets securityContext.privileged: true', "app"),
    );
  });

  it("flags a privileged init container", () => {
    forEachKind(
      (spec) => (spec.initContainers[0].securityContext.privileged = true),
      (obj) => assertViolation(findings(podPrivileged, obj), 'init container "setup"', "setup"),
    );
  });

  it("flags a privileged ephemeral container", () => {
    forEachKind(
      (spec) => (spec.ephemeralContainers[0].securityContext.privileged = true),
      (obj) => assertViolation(findings(podPrivileged, obj), 'ephemeral container "debug"', "debug"),
      ["Pod"],
    );
  });

  it("passes when privileged is absent", () => {
    forEachKind((spec) => delete spec.containers[0].securityContext.privileged, (obj) => assertNoViolation(findings(podPrivileged, obj)));
  });

  it("judges a Patch on what it sets", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.privileged = true),
      (obj) => assertViolation(findings(podPrivileged, obj, { partial: true }), "privileged: true"),
    );
    assertNoViolation(findings(podPrivileged, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 3 } }, { partial: true }));
  });
});
