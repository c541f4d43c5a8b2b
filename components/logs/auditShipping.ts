/**
 * AuditShipping: the Kubernetes API audit log to Loki. Creates the promtail and Alloy ConfigMaps (and,
 * when asked, the namespace and an Alloy DaemonSet on the server nodes) from the pure renderers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CapabilitiesConfig } from "../config/capabilities";
import { StackConfig } from "../config/types";
import { asResourceArgs } from "../kubebench/objects";
import { ALLOY_CONFIGMAP, PROMTAIL_CONFIGMAP, renderAuditShipping } from "./render";

/** Type token. */
export const AUDIT_SHIPPING_TYPE = "k3s-cis:logs:AuditShipping";

export interface AuditShippingArgs {
  /** The validated stack configuration; its profile.audit.logPath is the file shipped. */
  config: StackConfig;
  /** The validated capabilities (auditShipping). */
  capabilities: CapabilitiesConfig;
  /** Resources every object waits for on create and outlives on delete (the server nodes' hardening). */
  after?: pulumi.Resource[];
}

export class AuditShipping extends pulumi.ComponentResource {
  /** The namespace, when this component creates it. */
  public readonly namespace?: k8s.core.v1.Namespace;
  public readonly namespaceName: pulumi.Output<string>;
  public readonly logPath: pulumi.Output<string>;
  public readonly promtailConfigMap: pulumi.Output<string>;
  public readonly alloyConfigMap: pulumi.Output<string>;
  public readonly shipper: pulumi.Output<boolean>;

  constructor(name: string, args: AuditShippingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(AUDIT_SHIPPING_TYPE, name, {}, opts);
    const { config: cfg, capabilities: caps } = args;
    const objects = renderAuditShipping(cfg, caps);
    const deps: pulumi.Resource[] = [...(args.after ?? [])];
    if (objects.namespace) {
      this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, asResourceArgs<k8s.core.v1.NamespaceArgs>(objects.namespace), { parent: this, dependsOn: deps });
      deps.push(this.namespace);
    }
    const inNamespace = { parent: this, dependsOn: deps };
    if (objects.networkPolicy) {
      new k8s.networking.v1.NetworkPolicy(`${name}-deny-ingress`, asResourceArgs<k8s.networking.v1.NetworkPolicyArgs>(objects.networkPolicy), inNamespace);
    }
    new k8s.core.v1.ConfigMap(`${name}-promtail`, asResourceArgs<k8s.core.v1.ConfigMapArgs>(objects.promtailConfigMap), inNamespace);
    const alloy = new k8s.core.v1.ConfigMap(`${name}-alloy`, asResourceArgs<k8s.core.v1.ConfigMapArgs>(objects.alloyConfigMap), inNamespace);
    if (objects.serviceAccount && objects.daemonSet) {
      const sa = new k8s.core.v1.ServiceAccount(`${name}-shipper`, asResourceArgs<k8s.core.v1.ServiceAccountArgs>(objects.serviceAccount), inNamespace);
      new k8s.apps.v1.DaemonSet(`${name}-shipper`, asResourceArgs<k8s.apps.v1.DaemonSetArgs>(objects.daemonSet), { parent: this, dependsOn: [...deps, sa, alloy] });
    }
    this.namespaceName = pulumi.output(caps.auditShipping.namespace);
    this.logPath = pulumi.output(cfg.profile.audit.logPath);
    this.promtailConfigMap = pulumi.output(PROMTAIL_CONFIGMAP);
    this.alloyConfigMap = pulumi.output(ALLOY_CONFIGMAP);
    this.shipper = pulumi.output(caps.auditShipping.shipper.enabled);
    this.registerOutputs({
      namespaceName: this.namespaceName,
      logPath: this.logPath,
      promtailConfigMap: this.promtailConfigMap,
      alloyConfigMap: this.alloyConfigMap,
      shipper: this.shipper,
    });
  }
}
