import { podHostPath } from "../../../../../policy/rules/workload/host-path";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-host-path (5.2.12)", () => {
  itPassesBaselines(podHostPath);

  it("flags a hostPath volume in every kind", () => {
    forEachKind(
      (spec) => spec.volumes.push({ name: "logs", hostPath: { path: "/var/log", type: "Directory" } }),
      (obj) => assertViolation(findings(podHostPath, obj), 'volume "logs" mounts host path /var/log'),
    );
  });

  it("passes other volume types", () => {
    forEachKind((spec) => spec.volumes.push({ name: "scratch", emptyDir: {} }), (obj) => assertNoViolation(findings(podHostPath, obj)));
  });

  it("judges a Patch that adds a hostPath volume", () => {
    forEachKind(
      (spec) => (spec.volumes = [{ name: "sock", hostPath: { path: "/run/containerd/containerd.sock" } }]),
      (obj) => assertViolation(findings(podHostPath, obj, { partial: true }), "containerd.sock"),
    );
  });
});
