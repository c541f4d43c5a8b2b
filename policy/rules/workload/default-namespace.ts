/**
 * CIS 5.7.4 (topic namespace.default): resources are not placed in the default namespace. A resource
 * without metadata.namespace lands in its provider's namespace, else in `default`. Patch resources are
 * not judged: they change objects that already exist, they do not place new ones.
 */
import { NAMESPACED_KINDS } from "../kinds";
import { ResourceRule } from "../types";

export const defaultNamespace: ResourceRule = {
  name: "cis-default-namespace",
  topic: "namespace.default",
  description: "Checks that namespaced resources are not placed in the default namespace, counting the provider's namespace for resources that set none.",
  kinds: NAMESPACED_KINDS,
  skipPartial: true,
  remediationSteps:
    "Set metadata.namespace to a namespace created for the application, or give the Kubernetes provider a non-default namespace.",
  check(_obj, ctx, report) {
    if (ctx.namespaced && ctx.namespace() === "default") report({ message: "resource is placed in the default namespace" });
  },
};
