import assert from "node:assert/strict";
import * as YAML from "yaml";
import { PROMTAIL_CONFIG_KEY, renderAlloyConfig, renderAuditShipping, renderAuditShippingObjects, renderPromtailScrapeConfig } from "../../../components/logs/render";
import { build, withCapability } from "./fixtures";

interface PromtailJob {
  job_name: string;
  static_configs: Array<{ targets: string[]; labels: Record<string, string> }>;
  pipeline_stages: Array<Record<string, Record<string, unknown>>>;
}

function promtailJob(text: string): PromtailJob {
  const parsed = YAML.parse(text) as PromtailJob[];
  assert.equal(parsed.length, 1);
  return parsed[0];
}

function stage(job: PromtailJob, name: string): Record<string, unknown> {
  const s = job.pipeline_stages.find((x) => name in x);
  assert.ok(s, `stage ${name}`);
  return s[name];
}

describe("audit log shipping", () => {
  const { cfg, caps } = build();

  describe("promtail scrape config", () => {
    const job = promtailJob(renderPromtailScrapeConfig(cfg));
    it("scrapes the audit log path the node hardening writes", () => {
      assert.equal(job.static_configs[0].labels.__path__, cfg.profile.audit.logPath);
      const moved = build(undefined, { audit: { logPath: "/var/log/kubernetes/audit/audit.log" } });
      assert.equal(promtailJob(renderPromtailScrapeConfig(moved.cfg)).static_configs[0].labels.__path__, "/var/log/kubernetes/audit/audit.log");
    });
    it("parses the event with a JSON stage", () => {
      assert.deepEqual(stage(job, "json").expressions, {
        verb: "verb",
        resource: "objectRef.resource",
        namespace: "objectRef.namespace",
        user: "user.username",
        code: "responseStatus.code",
        ts: "stageTimestamp",
      });
      assert.deepEqual(stage(job, "timestamp"), { source: "ts", format: "RFC3339Nano" });
    });
    it("labels verb, resource and namespace only; user and code are structured metadata", () => {
      assert.deepEqual(Object.keys(stage(job, "labels")), ["verb", "resource", "namespace"]);
      assert.deepEqual(Object.keys(stage(job, "structured_metadata")), ["user", "code"]);
      const { __path__: _, ...staticLabels } = job.static_configs[0].labels;
      assert.deepEqual(staticLabels, { job: "k8s_audit", cluster: "test" }, "the guide's job label, plus the cluster");
      assert.ok(!("user" in stage(job, "labels")));
    });
  });

  describe("Alloy configuration", () => {
    const alloy = renderAlloyConfig(cfg, caps);
    it("is the same pipeline: file_match -> source.file -> process -> write", () => {
      assert.match(alloy, /local\.file_match "k8s_audit" \{\n  path_targets = \[\{\n    "__path__" = "\/var\/lib\/rancher\/k3s\/server\/logs\/audit\.log",/);
      assert.match(alloy, /targets {4}= local\.file_match\.k8s_audit\.targets/);
      assert.match(alloy, /forward_to = \[loki\.process\.k8s_audit\.receiver\]/);
      assert.match(alloy, /stage\.json \{\n {4}expressions = \{\n {6}verb {6}= "verb",\n {6}resource {2}= "objectRef\.resource",/);
      assert.match(alloy, /stage\.labels \{\n {4}values = \{ verb = "", resource = "", namespace = "" \}/);
      assert.match(alloy, /stage\.structured_metadata \{\n {4}values = \{ user = "", code = "" \}/);
      assert.match(alloy, /url = "http:\/\/loki-gateway\.monitoring\.svc\/loki\/api\/v1\/push"/);
      assert.doesNotMatch(alloy, /tenant_id/);
    });
    it("sets the tenant when configured", () => {
      const b = build(withCapability("auditShipping", { lokiUrl: "https://loki.example/loki/api/v1/push", tenantId: "platform" }));
      assert.match(renderAlloyConfig(b.cfg, b.caps), /tenant_id = "platform"/);
    });
    it("has balanced braces", () => {
      assert.equal((alloy.match(/\{/g) ?? []).length, (alloy.match(/\}/g) ?? []).length);
    });
  });

  describe("objects", () => {
    const o = renderAuditShipping(cfg, caps);
    it("delivers the promtail snippet and the Alloy config as ConfigMaps", () => {
      assert.equal(o.promtailConfigMap.data?.[PROMTAIL_CONFIG_KEY], renderPromtailScrapeConfig(cfg));
      assert.equal(o.alloyConfigMap.data?.["config.alloy"], renderAlloyConfig(cfg, caps));
      assert.equal(o.alloyConfigMap.metadata?.namespace, "k8s-audit");
    });
    it("runs the optional shipper on server nodes, with the log directory read-only", () => {
      const ds = o.daemonSet;
      assert.ok(ds);
      const pod = ds.spec?.template.spec;
      assert.deepEqual(pod?.nodeSelector, { "node-role.kubernetes.io/control-plane": "true" });
      const logs = pod?.volumes?.find((v) => v.name === "audit-logs");
      assert.equal(logs?.hostPath?.path, "/var/lib/rancher/k3s/server/logs");
      const mount = pod?.containers[0].volumeMounts?.find((m) => m.name === "audit-logs");
      assert.equal(mount?.readOnly, true);
      assert.equal(mount?.mountPath, "/var/lib/rancher/k3s/server/logs");
      assert.equal(pod?.automountServiceAccountToken, false);
      assert.deepEqual(pod?.containers[0].securityContext?.capabilities?.drop, ["ALL"]);
      assert.equal(pod?.containers[0].securityContext?.readOnlyRootFilesystem, true);
      assert.ok(pod?.containers[0].resources?.limits);
      assert.equal(o.namespace?.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "privileged");
    });
    it("rolls the shipper when the configuration changes", () => {
      const b = build(withCapability("auditShipping", { lokiUrl: "http://other/loki/api/v1/push", shipper: { enabled: true } }));
      const a1 = o.daemonSet?.spec?.template.metadata?.annotations?.["k3s-hardening/config-sha256"];
      const a2 = renderAuditShipping(b.cfg, b.caps).daemonSet?.spec?.template.metadata?.annotations?.["k3s-hardening/config-sha256"];
      assert.ok(a1 && a2 && a1 !== a2);
    });
    it("renders ConfigMaps only (restricted namespace) without the shipper", () => {
      const b = build(withCapability("auditShipping", { lokiUrl: "http://loki/loki/api/v1/push" }));
      const kinds = renderAuditShippingObjects(b.cfg, b.caps).map((x) => x.kind);
      assert.deepEqual(kinds, ["Namespace", "NetworkPolicy", "ConfigMap", "ConfigMap"]);
      assert.equal(renderAuditShipping(b.cfg, b.caps).namespace?.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
    });
    it("uses an existing namespace (e.g. promtail's) without creating it", () => {
      const b = build(withCapability("auditShipping", { lokiUrl: "http://loki/loki/api/v1/push", namespace: "monitoring", createNamespace: false }));
      const objs = renderAuditShippingObjects(b.cfg, b.caps);
      assert.deepEqual(objs.map((x) => x.kind), ["ConfigMap", "ConfigMap"]);
      assert.ok(objs.every((x) => x.metadata?.namespace === "monitoring"));
    });
    it("renders nothing when audit shipping is not configured", () => {
      const b = build(withCapability("auditShipping", undefined));
      assert.deepEqual(renderAuditShippingObjects(b.cfg, b.caps), []);
    });
  });
});
