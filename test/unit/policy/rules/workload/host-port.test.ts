import { podHostPort } from "../../../../../policy/rules/workload/host-port";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-host-port (5.2.13)", () => {
  itPassesBaselines(podHostPort);

  it("flags a hostPort in every kind", () => {
    forEachKind(
      (spec) => (spec.containers[0].ports[0].hostPort = 8080),
      (obj) => assertViolation(findings(podHostPort, obj), 'container "app" binds hostPort 8080', "app"),
    );
  });

  it("flags a hostPort on an init container", () => {
    forEachKind((spec) => (spec.initContainers[0].ports[0].hostPort = 9100), (obj) => assertViolation(findings(podHostPort, obj), "hostPort 9100", "setup"));
  });

  it("passes hostPort: 0 (the API's none)", () => {
    forEachKind((spec) => (spec.containers[0].ports[0].hostPort = 0), (obj) => assertNoViolation(findings(podHostPort, obj)));
  });
});
