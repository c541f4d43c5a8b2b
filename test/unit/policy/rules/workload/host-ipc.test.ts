import { podHostIpc } from "../../../../../policy/rules/workload/host-ipc";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-host-ipc (5.2.4)", () => {
  itPassesBaselines(podHostIpc);

  it("flags hostIPC: true in every kind", () => {
    forEachKind((spec) => (spec.hostIPC = true), (obj) => assertViolation(findings(podHostIpc, obj), "pod spec sets hostIPC: true"));
  });

  it("passes hostIPC: false", () => {
    forEachKind((spec) => (spec.hostIPC = false), (obj) => assertNoViolation(findings(podHostIpc, obj)));
  });

  it("judges a Patch that sets hostIPC", () => {
    forEachKind((spec) => (spec.hostIPC = true), (obj) => assertViolation(findings(podHostIpc, obj, { partial: true }), "hostIPC"));
  });
});
