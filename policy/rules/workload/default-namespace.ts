/**
 * CIS 5.7.4 (topic namespace.default): resources are not placed in the default namespace. A resource
 * without metadata.namespace lands in its provider's namespace, else in `default`. Patch resources are
 * not judged: they change objects that already exist, they do not place new ones. Neither is a
 * ServiceAccount named `default`: Kubernetes creates it in every namespace, and configuring it (5.1.5)
 * places nothing there.
 */
import { asString, path } from "../access";
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
  check(obj, ctx, report) {
    if (!ctx.namespaced) return;
    if (ctx.kind === "ServiceAccount" && asString(path(obj, "metadata", "name")) === "default") return;
    if (ctx.namespace() === "default") report({ message: "resource is placed in the default namespace" });
  },
};
