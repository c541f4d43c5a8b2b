import { podAddedCapabilities } from "../../../../../policy/rules/workload/added-capabilities";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-added-capabilities (5.2.9)", () => {
  itPassesBaselines(podAddedCapabilities);

  it("flags any added capability by default", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"]),
      (obj) => assertViolation(findings(podAddedCapabilities, obj), "adds capabilities NET_BIND_SERVICE", "app"),
    );
  });

  it("allows capabilities listed in allowedCapabilities, with or without CAP_", () => {
    forEachKind(
      (spec) => (spec.initContainers[0].securityContext.capabilities.add = ["CAP_NET_BIND_SERVICE"]),
      (obj) => assertNoViolation(findings(podAddedCapabilities, obj, { options: { allowedCapabilities: ["NET_BIND_SERVICE"] } })),
    );
  });

  it("names only the capabilities outside the allow list", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE", "SYS_ADMIN"]),
      (obj) => assertViolation(findings(podAddedCapabilities, obj, { options: { allowedCapabilities: ["NET_BIND_SERVICE"] } }), "adds capabilities SYS_ADMIN"),
    );
  });

  it("passes an empty add list", () => {
    forEachKind((spec) => (spec.containers[0].securityContext.capabilities.add = []), (obj) => assertNoViolation(findings(podAddedCapabilities, obj)));
  });
});
