/**
 * Readers over the project's hardening components as stack policies see them: a component's props are
 * the values it registered with registerOutputs (plain values, known at preview time).
 * - k3s-cis:index:ClusterHardening -> { cluster, benchmark, expectedNodes: [{name, role}], auditLogPath, auditPolicyPath }
 * - k3s-cis:node:NodeHardening     -> { nodeName, role, benchmark, digest, files, k3sConfig, auditLogPath?, auditPolicyPath? }
 * The kube-bench prediction is components/k3s/evaluate.ts, the same evaluator the program reports with.
 */
import { BenchmarkId, getBenchmark } from "../../components/cis";
import { K3sConfigDocument, Prediction, predictNode } from "../../components/k3s/evaluate";
import { asArray, asObject, asString, isObject, UnknownTracker } from "../rules/access";
import { STACK_TYPES } from "../rules/kinds";
import { StackOutcome, StackResource } from "../rules/types";

export type NodeRole = "server" | "agent";

export interface HardenedNode {
  resource: StackResource;
  name: string;
  role: NodeRole;
  benchmark?: string;
  files: string[];
  k3sConfig: K3sConfigDocument;
  auditLogPath?: string;
  auditPolicyPath?: string;
}

function role(v: unknown): NodeRole | undefined {
  return v === "server" || v === "agent" ? v : undefined;
}

/** Every NodeHardening component whose outputs can be read; unreadable ones are recorded in `tracker`. */
export function hardenedNodes(resources: readonly StackResource[], tracker: UnknownTracker): HardenedNode[] {
  const out: HardenedNode[] = [];
  for (const r of resources) {
    if (r.type !== STACK_TYPES.nodeHardening) continue;
    const node = tracker.read<HardenedNode | undefined>(() => {
      const p = r.props;
      const k3sConfig = asObject(p.k3sConfig);
      const nodeRole = role(p.role);
      if (!nodeRole) return undefined;
      return {
        resource: r,
        name: asString(p.nodeName) ?? r.name,
        role: nodeRole,
        benchmark: asString(p.benchmark),
        files: asArray(p.files).filter((f): f is string => typeof f === "string"),
        // A copy: the evaluator walks the document freely; unknown values surface here, once.
        k3sConfig: k3sConfig ? (JSON.parse(JSON.stringify(k3sConfig)) as K3sConfigDocument) : {},
        auditLogPath: asString(p.auditLogPath),
        auditPolicyPath: asString(p.auditPolicyPath),
      };
    }, undefined);
    if (node) out.push(node);
  }
  return out;
}

export interface ExpectedNode {
  name: string;
  role?: NodeRole;
}

/** The ClusterHardening component and the nodes its stack configuration lists. */
export function expectedNodes(resources: readonly StackResource[], tracker: UnknownTracker): { cluster: StackResource; nodes: ExpectedNode[] } | undefined {
  const cluster = resources.find((r) => r.type === STACK_TYPES.clusterHardening);
  if (!cluster) return undefined;
  const nodes = tracker.read(
    () =>
      asArray(cluster.props.expectedNodes).flatMap((n) => {
        const name = isObject(n) ? asString(n.name) : undefined;
        return name ? [{ name, role: role((n as { role?: unknown }).role) }] : [];
      }),
    [] as ExpectedNode[],
  );
  return { cluster, nodes };
}

/** kube-bench's predicted results on `node` for the selected benchmark. */
export function predictions(benchmark: string, node: HardenedNode): Prediction[] {
  return predictNode(getBenchmark(benchmark as BenchmarkId), node.role, node.k3sConfig);
}

export function noNodes(): StackOutcome {
  return { findings: [], exempted: [], notApplicable: "the stack has no NodeHardening component" };
}

/** Ends a stack rule: a recorded unknown becomes the outcome's error (the SDK's advisory note). */
export function finish(outcome: StackOutcome, tracker: UnknownTracker): StackOutcome {
  try {
    tracker.rethrow();
  } catch (e) {
    outcome.error = e;
  }
  return outcome;
}
