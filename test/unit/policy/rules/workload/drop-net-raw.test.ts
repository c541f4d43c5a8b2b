import * as assert from "assert";
import { podDropNetRaw } from "../../../../../policy/rules/workload/drop-net-raw";
import { assertNoViolation, assertViolation, compliantWorkload, findings, forEachKind, itPassesBaselines, mutate, podSpec, remediated } from "../../helpers";

describe("cis-pod-drop-net-raw (5.2.8)", () => {
  itPassesBaselines(podDropNetRaw);

  it("flags a container that drops neither NET_RAW nor ALL", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.capabilities.drop = ["SYS_TIME"]),
      (obj) => assertViolation(findings(podDropNetRaw, obj), "does not drop NET_RAW", "app"),
    );
  });

  it("flags an absent capabilities block", () => {
    forEachKind(
      (spec) => delete spec.initContainers[0].securityContext.capabilities,
      (obj) => assertViolation(findings(podDropNetRaw, obj), "does not drop NET_RAW", "setup"),
    );
  });

  it("passes NET_RAW (or CAP_NET_RAW, any case) in drop", () => {
    forEachKind((spec) => (spec.containers[0].securityContext.capabilities.drop = ["cap_net_raw"]), (obj) => assertNoViolation(findings(podDropNetRaw, obj)));
  });

  it("flags NET_RAW added back", () => {
    forEachKind(
      (spec) => (spec.containers[0].securityContext.capabilities.add = ["NET_RAW"]),
      (obj) => assertViolation(findings(podDropNetRaw, obj), "adds NET_RAW", "app"),
    );
  });

  it("judges a Patch only when it sets a drop list", () => {
    forEachKind((spec) => delete spec.containers[0].securityContext.capabilities, (obj) => assertNoViolation(findings(podDropNetRaw, obj, { partial: true })));
    forEachKind(
      (spec) => (spec.containers[0].securityContext.capabilities.drop = []),
      (obj) => assertViolation(findings(podDropNetRaw, obj, { partial: true }), "does not drop NET_RAW"),
    );
  });

  it("remediates by appending NET_RAW, or ALL when configured", () => {
    const obj = mutate(compliantWorkload("DaemonSet"), (o) => (podSpec(o).containers[0].securityContext.capabilities.drop = ["SYS_TIME"]));
    assert.deepStrictEqual(podSpec(remediated(podDropNetRaw, obj)).containers[0].securityContext.capabilities.drop, ["SYS_TIME", "NET_RAW"]);
    const all = remediated(podDropNetRaw, obj, { options: { remediationDrop: "ALL" } });
    assert.deepStrictEqual(podSpec(all).containers[0].securityContext.capabilities.drop, ["SYS_TIME", "ALL"]);
    assertNoViolation(findings(podDropNetRaw, all));
    const none = mutate(compliantWorkload("Pod"), (o) => delete podSpec(o).containers[0].securityContext);
    assert.deepStrictEqual(podSpec(remediated(podDropNetRaw, none)).containers[0].securityContext, { capabilities: { drop: ["NET_RAW"] } });
  });

  it("does not remediate a container that adds NET_RAW on purpose", () => {
    const obj = mutate(compliantWorkload("Pod"), (o) => (podSpec(o).containers[0].securityContext.capabilities = { add: ["NET_RAW"] }));
    assert.deepStrictEqual(remediated(podDropNetRaw, obj), obj);
  });
});
