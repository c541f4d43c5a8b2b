/**
 * Audit logging is configured on every server: the NodeHardening component records the audit log and
 * audit policy paths, writes the policy file, and kube-bench is predicted to pass the audit log flag
 * checks (topics api.audit-log-path, -maxage, -maxbackup, -maxsize). Framework reference: the control of
 * topic api.audit-log-path.
 */
import { controlByTopic, getBenchmark, BenchmarkId, Topic } from "../../components/cis";
import { UnknownTracker } from "../rules/access";
import { StackOutcome, StackRule } from "../rules/types";
import { finish, hardenedNodes, noNodes, predictions } from "./nodes";

const AUDIT_FLAG_TOPICS: readonly Topic[] = ["api.audit-log-path", "api.audit-log-maxage", "api.audit-log-maxbackup", "api.audit-log-maxsize"];

export const auditLogging: StackRule = {
  name: "cis-audit-logging",
  topic: "api.audit-log-path",
  description: "Checks that every server node has audit logging configured: a log path, an audit policy file, and the audit log flags kube-bench checks.",
  remediationSteps:
    "Keep the profile's audit settings (audit.logPath, audit.policyPath, maxAge, maxBackup, maxSize) and do not override audit-log-* or audit-policy-file through a node's extraArgs.",
  exemptable: true,
  check(resources, ctx) {
    const tracker = new UnknownTracker();
    const servers = hardenedNodes(resources, tracker).filter((n) => n.role === "server");
    if (servers.length === 0 && !tracker.sawUnknown) return noNodes();
    const bench = getBenchmark(ctx.benchmark as BenchmarkId);
    const ids = new Set(AUDIT_FLAG_TOPICS.flatMap((t) => controlByTopic(bench, t)?.id ?? []));
    const outcome: StackOutcome = { findings: [], exempted: [] };
    for (const node of servers) {
      const reason = ctx.exempt("Node", node.name);
      if (reason !== undefined) {
        if (!outcome.exempted.includes(reason)) outcome.exempted.push(reason);
        continue;
      }
      const problems: string[] = [];
      if (!node.auditLogPath) problems.push("no audit log path");
      if (!node.auditPolicyPath) problems.push("no audit policy path");
      else if (!node.files.includes(node.auditPolicyPath)) problems.push(`the audit policy ${node.auditPolicyPath} is not among the files written`);
      for (const p of predictions(ctx.benchmark, node)) {
        if (ids.has(p.id) && p.status !== "PASS") problems.push(`kube-bench ${p.id} predicted ${p.status} (${p.detail})`);
      }
      if (problems.length > 0) outcome.findings.push({ urn: node.resource.urn, message: `server ${node.name}: audit logging is not configured: ${problems.join("; ")}` });
    }
    return finish(outcome, tracker);
  },
};
