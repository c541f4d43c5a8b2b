/**
 * ServiceAccountLockdown: `automountServiceAccountToken: false` on the `default` ServiceAccount of each
 * namespace, as ServiceAccountPatch resources (server-side apply; the ServiceAccounts already exist).
 * The patches are kept on destroy: deleting a patch would relinquish the field and silently give every
 * pod of the namespace a token again.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { asResourceArgs } from "../kubebench/objects";
import { renderDefaultServiceAccountPatch } from "./render";

/** Type token; stack policies find the lockdown by it. */
export const SERVICE_ACCOUNT_LOCKDOWN_TYPE = "k3s-cis:serviceaccounts:ServiceAccountLockdown";

export interface ServiceAccountLockdownArgs {
  /** Namespaces whose `default` ServiceAccount is patched (see lockdownNamespaces). */
  namespaces: readonly string[];
  /** Namespaces this stack creates, by name: their patch waits for them. */
  createdBy?: ReadonlyMap<string, pulumi.Resource>;
  /** Resources every patch waits for on create and outlives on delete (the server nodes' hardening). */
  after?: pulumi.Resource[];
}

export class ServiceAccountLockdown extends pulumi.ComponentResource {
  public readonly patches: k8s.core.v1.ServiceAccountPatch[];
  public readonly namespaces: pulumi.Output<string[]>;

  constructor(name: string, args: ServiceAccountLockdownArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SERVICE_ACCOUNT_LOCKDOWN_TYPE, name, {}, opts);
    this.patches = args.namespaces.map((ns) => {
      const creator = args.createdBy?.get(ns);
      return new k8s.core.v1.ServiceAccountPatch(
        `${name}-${ns}`,
        asResourceArgs<k8s.core.v1.ServiceAccountPatchArgs>(renderDefaultServiceAccountPatch(ns)),
        { parent: this, retainOnDelete: true, dependsOn: [...(args.after ?? []), ...(creator ? [creator] : [])] },
      );
    });
    this.namespaces = pulumi.output([...args.namespaces]);
    this.registerOutputs({ namespaces: this.namespaces });
  }
}
