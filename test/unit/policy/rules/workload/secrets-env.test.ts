import { podSecretsAsEnv } from "../../../../../policy/rules/workload/secrets-env";
import { assertNoViolation, assertViolation, findings, forEachKind, itPassesBaselines } from "../../helpers";

describe("cis-pod-secrets-env (5.4.1)", () => {
  itPassesBaselines(podSecretsAsEnv);

  it("flags env[].valueFrom.secretKeyRef", () => {
    forEachKind(
      (spec) => spec.containers[0].env.push({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }),
      (obj) => assertViolation(findings(podSecretsAsEnv, obj), 'reads secret "db" into env var DB_PASSWORD', "app"),
    );
  });

  it("flags envFrom[].secretRef on an init container", () => {
    forEachKind(
      (spec) => (spec.initContainers[0].envFrom = [{ secretRef: { name: "api-keys" } }]),
      (obj) => assertViolation(findings(podSecretsAsEnv, obj), 'loads secret "api-keys" through envFrom', "setup"),
    );
  });

  it("passes ConfigMap references and literal values", () => {
    forEachKind(
      (spec) => {
        spec.containers[0].env.push({ name: "LEVEL", valueFrom: { configMapKeyRef: { name: "web-config", key: "level" } } });
        spec.containers[0].envFrom = [{ configMapRef: { name: "web-config" } }];
      },
      (obj) => assertNoViolation(findings(podSecretsAsEnv, obj)),
    );
  });
});
