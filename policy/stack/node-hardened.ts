/**
 * Project requirement: every node of the stack configuration has its hardening component
 * (k3s-cis:node:NodeHardening), with the role the configuration gives it. The expected list is the
 * ClusterHardening component's `expectedNodes` output.
 */
import { UnknownTracker } from "../rules/access";
import { StackOutcome, StackRule } from "../rules/types";
import { expectedNodes, finish, hardenedNodes } from "./nodes";

export const nodeHardened: StackRule = {
  name: "k3s-node-hardened",
  description: "Checks that every node in the stack configuration has its NodeHardening component, with the configured role.",
  remediationSteps:
    "Create the cluster through ClusterHardening (createHardenedCluster) so that every configured node gets a NodeHardening; remove nodes from the stack configuration only together with their hosts.",
  severity: "critical",
  check(resources) {
    const tracker = new UnknownTracker();
    const expected = expectedNodes(resources, tracker);
    if (!expected) return { findings: [], exempted: [], notApplicable: "the stack has no ClusterHardening component" };
    const present = new Map(hardenedNodes(resources, tracker).map((n) => [n.name, n]));
    const outcome: StackOutcome = { findings: [], exempted: [] };
    for (const node of expected.nodes) {
      const found = present.get(node.name);
      if (!found) {
        if (!tracker.sawUnknown) outcome.findings.push({ urn: expected.cluster.urn, message: `node ${node.name} is in the stack configuration but has no NodeHardening component` });
      } else if (node.role && found.role !== node.role) {
        outcome.findings.push({ urn: found.resource.urn, message: `node ${node.name} is configured as ${node.role} but hardened as ${found.role}` });
      }
    }
    return finish(outcome, tracker);
  },
};
