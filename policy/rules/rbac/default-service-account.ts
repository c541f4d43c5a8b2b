/**
 * CIS 5.1.5 (topic sa.default-not-used): the default ServiceAccount is not actively used. Three facts a
 * single resource shows: a binding grants it permissions; a ServiceAccount named `default` keeps token
 * automount on; a workload runs as it with its token explicitly mounted. (A pod that only leaves
 * automount unset is 5.1.6's concern; that every namespace patches its default ServiceAccount is the
 * stack policy cis-namespace-default-sa.)
 */
import { asArray, asObject, asString, path, readOr } from "../access";
import { BINDING_KINDS, WORKLOAD_KINDS } from "../kinds";
import { podSpecOf } from "../podspec";
import { ResourceRule } from "../types";

export const defaultServiceAccount: ResourceRule = {
  name: "cis-default-service-account",
  topic: "sa.default-not-used",
  description:
    "Checks that the default ServiceAccount is not used: no binding grants it a role, a ServiceAccount named default disables token automount, and no workload mounts its token.",
  kinds: [...WORKLOAD_KINDS, ...BINDING_KINDS, "ServiceAccount"],
  remediationSteps:
    "Create a dedicated ServiceAccount per workload and bind roles to it; set automountServiceAccountToken: false on every namespace's default ServiceAccount.",
  check(obj, ctx, report) {
    if (ctx.kind === "ServiceAccount") {
      if (asString(path(obj, "metadata", "name")) !== "default") return;
      const value = obj.automountServiceAccountToken;
      if (value === false || (value === undefined && ctx.partial)) return;
      report({ message: value === undefined ? "default ServiceAccount does not set automountServiceAccountToken: false" : `default ServiceAccount sets automountServiceAccountToken: ${String(value)}` });
      return;
    }
    if ((BINDING_KINDS as readonly string[]).includes(ctx.kind)) {
      for (const s of asArray(obj.subjects)) {
        const subject = asObject(s);
        if (subject && subject.kind === "ServiceAccount" && subject.name === "default") {
          const ns = readOr(() => asString(subject.namespace) ?? "(binding's namespace)", "(unknown)");
          report({ message: `binds the default ServiceAccount of namespace ${ns}` });
        }
      }
      return;
    }
    const spec = podSpecOf(ctx.kind, obj);
    if (!spec || spec.automountServiceAccountToken !== true) return;
    const sa = spec.serviceAccountName !== undefined ? spec.serviceAccountName : spec.serviceAccount;
    if (sa === undefined ? !ctx.partial : sa === "default" || sa === "") {
      report({ message: "pod runs as the default ServiceAccount with automountServiceAccountToken: true" });
    }
  },
};
