import { podHostPid } from "../../../../../policy/rules/workload/host-pid";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-host-pid (5.2.3)", () => {
  itPassesBaselines(podHostPid);

  it("flags hostPID: true in every kind", () => {
    forEachKind((spec) => (spec.hostPID = true), (obj) => assertViolation(findings(podHostPid, obj), "pod spec sets hostPID: true"));
  });

  it("passes hostPID: false", () => {
    forEachKind((spec) => (spec.hostPID = false), (obj) => assertNoViolation(findings(podHostPid, obj)));
  });

  it("judges a Patch that sets hostPID", () => {
    forEachKind((spec) => (spec.hostPID = true), (obj) => assertViolation(findings(podHostPid, obj, { partial: true }), "hostPID"));
  });
});
