import { podHostNetwork } from "../../../../../policy/rules/workload/host-network";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-host-network (5.2.5)", () => {
  itPassesBaselines(podHostNetwork);

  it("flags hostNetwork: true in every kind", () => {
    forEachKind((spec) => (spec.hostNetwork = true), (obj) => assertViolation(findings(podHostNetwork, obj), "pod spec sets hostNetwork: true"));
  });

  it("passes hostNetwork: false", () => {
    forEachKind((spec) => (spec.hostNetwork = false), (obj) => assertNoViolation(findings(podHostNetwork, obj)));
  });

  it("judges a Patch that sets hostNetwork", () => {
    forEachKind((spec) => (spec.hostNetwork = true), (obj) => assertViolation(findings(podHostNetwork, obj, { partial: true }), "hostNetwork"));
  });
});
