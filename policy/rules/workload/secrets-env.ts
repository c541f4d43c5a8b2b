/** CIS 5.4.1 (topic secrets.as-env): secrets reach containers as files, not environment variables. */
import { asArray, asObject, asString, path, readOr } from "../access";
import { WORKLOAD_KINDS } from "../kinds";
import { forEachContainer, podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const podSecretsAsEnv: ResourceRule = {
  name: "cis-pod-secrets-env",
  topic: "secrets.as-env",
  description: "Checks that no container reads a Secret into environment variables (env[].valueFrom.secretKeyRef or envFrom[].secretRef).",
  kinds: WORKLOAD_KINDS,
  remediationSteps: "Mount the Secret as a volume (secret or projected) and read it from the file instead of env or envFrom.",
  check(obj, ctx, report) {
    forEachContainer(podSpecOf(ctx.kind, obj), (c) => {
      for (const e of asArray(c.spec.env)) {
        const ref = path(e, "valueFrom", "secretKeyRef");
        if (ref === undefined || ref === null) continue;
        const env = asObject(e);
        const varName = readOr(() => asString(env?.name) ?? "?", "?");
        const secret = readOr(() => asString(path(ref, "name")) ?? "?", "?");
        report({ container: c.name, message: `${c.label} reads secret "${secret}" into env var ${varName}` });
      }
      for (const from of asArray(c.spec.envFrom)) {
        const ref = path(from, "secretRef");
        if (ref === undefined || ref === null) continue;
        const secret = readOr(() => asString(path(ref, "name")) ?? "?", "?");
        report({ container: c.name, message: `${c.label} loads secret "${secret}" through envFrom` });
      }
    });
  },
};
