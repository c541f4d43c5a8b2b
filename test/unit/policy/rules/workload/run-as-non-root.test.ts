import { podRunAsNonRoot } from "../../../../../policy/rules/workload/run-as-non-root";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-run-as-non-root (5.2.7)", () => {
  itPassesBaselines(podRunAsNonRoot);

  it("flags runAsUser: 0 on the container, even with runAsNonRoot: true on the pod", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.runAsUser = 0),
      (obj) => assertViolation(findings(podRunAsNonRoot, obj), "runs as UID 0", "app"),
    );
  });

  it("flags runAsUser: 0 inherited from the pod", () => {
    forEachKind(
      (spec) => {
        spec.securityContext.runAsUser = 0;
        delete spec.containers[0].securityContext.runAsNonRoot;
      },
      (obj) => assertViolation(findings(podRunAsNonRoot, obj), "runs as UID 0", "app"),
    );
  });

  it("flags runAsNonRoot: false without a non-zero UID", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext.runAsUser;
        spec.initContainers[0].securityContext.runAsNonRoot = false;
      },
      (obj) => assertViolation(findings(podRunAsNonRoot, obj), "runAsNonRoot: false", "setup"),
    );
  });

  it("flags a container with neither runAsNonRoot nor a UID anywhere", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext;
        delete spec.containers[0].securityContext.runAsNonRoot;
      },
      (obj) => assertViolation(findings(podRunAsNonRoot, obj), "may run as root", "app"),
    );
  });

  it("passes a non-zero runAsUser alone", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext.runAsNonRoot;
        delete spec.containers[0].securityContext.runAsNonRoot;
        delete spec.initContainers[0].securityContext.runAsNonRoot;
      },
      (obj) => assertNoViolation(findings(podRunAsNonRoot, obj)),
    );
  });

  it("does not judge absent fields in a Patch", () => {
    forEachKind(
      (spec) => {
        delete spec.securityContext;
        delete spec.containers[0].securityContext.runAsNonRoot;
      },
      (obj) => assertNoViolation(findings(podRunAsNonRoot, obj, { partial: true })),
    );
  });
});
