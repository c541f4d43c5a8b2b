import { validateStackConfig } from "../../../components/config/validate";
import assert from "node:assert/strict";
import * as YAML from "yaml";
import { SUPPORTED_BENCHMARKS, getBenchmark, controlByTopic } from "../../../components/cis";
import { K3S_PATHS, PROTECT_KERNEL_DEFAULTS_SYSCTLS } from "../../../components/k3s/facts";
import { predictNode } from "../../../components/k3s/evaluate";
import {
  agentConfigDocument,
  renderAdmissionConfig,
  renderAuditPolicy,
  renderNodeBundle,
  renderSysctl,
  SECRET_PLACEHOLDER,
  serverConfigDocument,
} from "../../../components/k3s/render";
import { config, rawConfig, rawNode } from "../helpers";

const args = (doc: Record<string, unknown>, key: string) => (doc[key] as string[] | undefined) ?? [];

describe("renderers", () => {
  const cfg = config();
  const server = cfg.nodes[0];
  const agent = cfg.nodes[3];

  describe("server config.yaml", () => {
    const doc = serverConfigDocument(cfg, server, true);
    const api = args(doc, "kube-apiserver-arg");
    const expectFlag = (list: string[], flag: string) => assert.ok(list.includes(flag), `missing ${flag} in ${list.join(" ")}`);

    it("keeps anonymous auth off and RBAC on (1.2.1, authorization-mode)", () => {
      expectFlag(api, "anonymous-auth=false");
      expectFlag(api, "authorization-mode=Node,RBAC");
    });
    it("writes the whole admission plugin list with = (never +=)", () => {
      expectFlag(api, "enable-admission-plugins=NodeRestriction,EventRateLimit,DenyServiceExternalIPs");
      assert.ok(api.every((a) => !a.includes("+=")));
      expectFlag(api, `admission-control-config-file=${K3S_PATHS.admissionConfigFile}`);
    });
    it("configures audit logging with CIS retention", () => {
      expectFlag(api, `audit-log-path=${K3S_PATHS.auditLogFile}`);
      expectFlag(api, `audit-policy-file=${K3S_PATHS.auditPolicyFile}`);
      expectFlag(api, "audit-log-maxage=30");
      expectFlag(api, "audit-log-maxbackup=10");
      expectFlag(api, "audit-log-maxsize=100");
    });
    it("sets profiling off, service-account-lookup on and an explicit request timeout", () => {
      expectFlag(api, "profiling=false");
      expectFlag(api, "service-account-lookup=true");
      expectFlag(api, "request-timeout=60s");
    });
    it("hardens the controller manager without the guide's service.key pin", () => {
      const cm = args(doc, "kube-controller-manager-arg");
      expectFlag(cm, "terminated-pod-gc-threshold=10");
      expectFlag(cm, "use-service-account-credentials=true");
      assert.ok(cm.every((a) => !a.startsWith("service-account-private-key-file")));
    });
    it("binds the scheduler to loopback", () => expectFlag(args(doc, "kube-scheduler-arg"), "bind-address=127.0.0.1"));
    it("protects kernel defaults and initialises etcd only on the first server", () => {
      assert.equal(doc["protect-kernel-defaults"], true);
      assert.equal(doc["cluster-init"], true);
      assert.equal(serverConfigDocument(cfg, cfg.nodes[1], false)["cluster-init"], undefined);
      assert.equal(serverConfigDocument(config({ embeddedEtcd: false }), server, true)["cluster-init"], undefined);
    });
    it("turns on secrets encryption only when asked", () => {
      assert.equal(doc["secrets-encryption"], undefined);
      assert.equal(serverConfigDocument(config({ secretsEncryption: true }), server, true)["secrets-encryption"], true);
    });
    it("never copies the guide's harmful kubelet flags", () => {
      const kubelet = args(doc, "kubelet-arg");
      assert.ok(!kubelet.includes("event-qps=0"));
      assert.ok(kubelet.every((a) => !a.startsWith("rotate-certificates")));
      assert.ok(args(doc, "etcd-arg").length === 0, "no etcd-arg unless configured");
    });
    it("appends extra args after ours", () => {
      const d = serverConfigDocument(config({ extraArgs: { apiserver: ["tls-min-version=VersionTLS13"] } }), server, true);
      const list = args(d, "kube-apiserver-arg");
      assert.equal(list[list.length - 1], "tls-min-version=VersionTLS13");
    });
    it("renders a single YAML document with each key once (no tee -a duplicates)", () => {
      const bundle = renderNodeBundle(cfg, server);
      const text = bundle.files.find((f) => f.path === K3S_PATHS.configFile)!.content;
      const parsed = YAML.parseDocument(text, { uniqueKeys: true });
      assert.equal(parsed.errors.length, 0);
      assert.ok(text.startsWith("# Managed by k3s-cis-hardening"));
    });
  });

  describe("agent config.yaml", () => {
    const doc = agentConfigDocument(cfg, agent);
    const kubelet = args(doc, "kubelet-arg");
    it("hardens the kubelet flags kube-bench reads", () => {
      for (const f of ["anonymous-auth=false", "authorization-mode=Webhook", "read-only-port=0", "make-iptables-util-chains=true", "event-qps=50", "pod-max-pids=4096"]) {
        assert.ok(kubelet.includes(f), f);
      }
      assert.ok(kubelet.includes(`client-ca-file=${K3S_PATHS.kubeletClientCaFile}`));
      assert.ok(kubelet.includes(`tls-cert-file=${K3S_PATHS.kubeletServingCertFile}`));
    });
    it("carries no server-only keys", () => {
      for (const k of ["kube-apiserver-arg", "kube-controller-manager-arg", "kube-scheduler-arg", "cluster-init", "secrets-encryption"]) {
        assert.equal(doc[k], undefined, k);
      }
      assert.equal(doc["protect-kernel-defaults"], true);
    });
    it("gets no audit policy or admission file", () => {
      const paths = renderNodeBundle(cfg, agent).files.map((f) => f.path);
      assert.deepEqual(paths, [K3S_PATHS.sysctlFile, K3S_PATHS.configFile]);
    });
  });

  describe("per benchmark", () => {
    for (const id of SUPPORTED_BENCHMARKS) {
      it(`${id}: every automated scored master and node check predicted PASS (secrets encryption on)`, () => {
        const c = config({ benchmark: id, secretsEncryption: true });
        const bench = getBenchmark(id);
        const preds = [
          ...predictNode(bench, "server", serverConfigDocument(c, c.nodes[0], true)),
          ...predictNode(bench, "agent", agentConfigDocument(c, c.nodes[3])),
        ];
        const scored = new Set(bench.controls.filter((x) => x.scored && x.kind === "automated").map((x) => x.id));
        const bad = preds.filter((p) => scored.has(p.id) && p.status !== "PASS" && p.status !== "UNKNOWN");
        assert.deepEqual(bad, []);
        assert.ok(preds.filter((p) => p.status === "PASS").length > 40);
      });
    }
    it("1.9 leaves the streaming timeout off the kubelet line (kube-bench's 4.2.5 passes only when absent)", () => {
      const k17 = args(agentConfigDocument(config({ benchmark: "k3s-cis-1.7" }), agent), "kubelet-arg");
      const k19 = args(agentConfigDocument(config({ benchmark: "k3s-cis-1.9" }), agent), "kubelet-arg");
      assert.ok(k17.includes("streaming-connection-idle-timeout=5m"));
      assert.ok(!k19.some((a) => a.startsWith("streaming-connection-idle-timeout")));
    });
    it("1.10 and later put the streaming timeout back (security-scan's 4.2.5 uses noteq)", () => {
      for (const id of ["k3s-cis-1.10", "k3s-cis-1.11", "k3s-cis-1.12"] as const) {
        const c = config({ benchmark: id });
        const k = args(agentConfigDocument(c, agent), "kubelet-arg");
        assert.ok(k.includes("streaming-connection-idle-timeout=5m"), id);
        const p = predictNode(getBenchmark(id), "agent", agentConfigDocument(c, agent)).find((x) => x.id === "4.2.5")!;
        assert.equal(p.status, "PASS", id);
      }
    });
    it("seccomp-default is a setting: off by default (4.2.14 WARN, unscored), on when asked (PASS)", () => {
      const bench = getBenchmark("k3s-cis-1.12");
      const control = controlByTopic(bench, "kubelet.seccomp-default")!;
      const status = (c: ReturnType<typeof config>) => predictNode(bench, "agent", agentConfigDocument(c, agent)).find((x) => x.id === control.id)!.status;
      const off = config();
      assert.ok(!args(agentConfigDocument(off, agent), "kubelet-arg").some((a) => a.startsWith("seccomp-default")));
      assert.equal(status(off), "WARN");
      const on = config({ kubelet: { seccompDefault: true } });
      assert.ok(args(agentConfigDocument(on, agent), "kubelet-arg").includes("seccomp-default=true"));
      assert.equal(status(on), "PASS");
    });
    it("DenyServiceExternalIPs follows the benchmark (forbidden in 1.7, required in 1.9)", () => {
      const p17 = config({ benchmark: "k3s-cis-1.7" }).profile.admission.plugins;
      const p19 = config({ benchmark: "k3s-cis-1.9" }).profile.admission.plugins;
      assert.ok(!p17.includes("DenyServiceExternalIPs"));
      assert.ok(p19.includes("DenyServiceExternalIPs"));
      for (const id of ["k3s-cis-1.10", "k3s-cis-1.11", "k3s-cis-1.12"]) assert.ok(config({ benchmark: id }).profile.admission.plugins.includes("DenyServiceExternalIPs"), id);
    });
    it("an opt-out shows up as a predicted failure", () => {
      const c = config({ benchmark: "k3s-cis-1.7", secretsEncryption: false });
      const bench = getBenchmark("k3s-cis-1.7");
      const enc = controlByTopic(bench, "api.encryption-provider-config")!;
      const p = predictNode(bench, "server", serverConfigDocument(c, c.nodes[0], true)).find((x) => x.id === enc.id)!;
      assert.notEqual(p.status, "PASS");
    });
  });

  describe("audit policy", () => {
    const policy = YAML.parse(renderAuditPolicy(cfg.profile.audit));
    it("is an audit.k8s.io/v1 Policy that omits RequestReceived", () => {
      assert.equal(policy.apiVersion, "audit.k8s.io/v1");
      assert.equal(policy.kind, "Policy");
      assert.deepEqual(policy.omitStages, ["RequestReceived"]);
    });
    it("keeps the guide's rules, logs secrets as metadata only, ends with a catch-all", () => {
      const secrets = policy.rules.find((r: { resources?: Array<{ resources?: string[] }> }) => r.resources?.[0]?.resources?.includes("secrets"));
      assert.equal(secrets.level, "Metadata");
      assert.deepEqual(policy.rules[policy.rules.length - 1], { level: "Metadata" });
      assert.equal(policy.rules[0].level, "RequestResponse");
    });
    it("is configurable", () => {
      const c = config({ audit: { rules: [{ level: "Metadata" }] } });
      assert.deepEqual(YAML.parse(renderAuditPolicy(c.profile.audit)).rules, [{ level: "Metadata" }]);
    });
  });

  describe("admission configuration", () => {
    const adm = YAML.parse(renderAdmissionConfig(cfg.profile.admission));
    it("sets Pod Security defaults to restricted with kube-system exempt", () => {
      const ps = adm.plugins.find((p: { name: string }) => p.name === "PodSecurity").configuration;
      assert.equal(ps.defaults.enforce, "restricted");
      assert.deepEqual(ps.exemptions.namespaces, ["kube-system"]);
      assert.equal(adm.apiVersion, "apiserver.config.k8s.io/v1");
    });
    it("configures EventRateLimit with at least one limit", () => {
      const erl = adm.plugins.find((p: { name: string }) => p.name === "EventRateLimit").configuration;
      assert.equal(erl.kind, "Configuration");
      assert.ok(erl.limits.length >= 1);
      assert.equal(erl.limits[1].cacheSize, 2000);
    });
    it("omits EventRateLimit when the plugin is off", () => {
      const c = config({ admission: { plugins: ["NodeRestriction"] } });
      const a = YAML.parse(renderAdmissionConfig(c.profile.admission));
      assert.deepEqual(a.plugins.map((p: { name: string }) => p.name), ["PodSecurity"]);
    });
  });

  describe("sysctl file", () => {
    it("carries the four kernel parameters protect-kernel-defaults needs", () => {
      const text = renderSysctl();
      for (const [k, v] of PROTECT_KERNEL_DEFAULTS_SYSCTLS) assert.match(text, new RegExp(`^${k.replace(/\./g, "\\.")} = ${v}$`, "m"));
    });
    it("is not written when protectKernelDefaults is off", () => {
      const b = renderNodeBundle(config({ protectKernelDefaults: false }), server);
      assert.ok(!b.files.some((f) => f.path === K3S_PATHS.sysctlFile));
      assert.equal(b.sysctlFile, undefined);
    });
  });

  describe("bundle", () => {
    it("writes config.yaml last and creates the audit log directory", () => {
      const b = renderNodeBundle(cfg, server);
      assert.equal(b.files[b.files.length - 1].path, K3S_PATHS.configFile);
      assert.deepEqual(b.directories, ["/var/lib/rancher/k3s/server/logs"]);
      assert.ok(b.files.every((f) => f.mode === "0600"));
    });
    it("replaces the token with a placeholder unless asked for the real value", () => {
      const c = config({ k3sToken: "K10-very-secret-token" });
      const review = renderNodeBundle(c, server);
      const cfgFile = review.files.find((f) => f.path === K3S_PATHS.configFile)!;
      assert.ok(!cfgFile.content.includes("K10-very-secret-token"));
      assert.ok(cfgFile.content.includes(SECRET_PLACEHOLDER));
      assert.equal(cfgFile.secret, true);
      const real = renderNodeBundle(c, server, (s) => s);
      assert.ok(real.files.find((f) => f.path === K3S_PATHS.configFile)!.content.includes("K10-very-secret-token"));
    });
    it("treats the node's credential settings like the token: placeholder in review, value only in the real bundle", () => {
      const raw = rawConfig({}, [
        { ...rawNode("cp-1", "server", 11), k3sSettings: { "etcd-s3-secret-key": "s3-SECRET-value", "etcd-s3-bucket": "snapshots" } },
        rawNode("wk-1", "agent", 21),
      ]);
      raw.secretKeys = new Set([...raw.secretKeys, "nodes"]);
      const c = validateStackConfig(raw);
      const node = c.nodes[0];
      assert.deepEqual(Object.keys(node.k3sSecrets), ["etcd-s3-secret-key"]);
      assert.equal(node.k3sSettings["etcd-s3-secret-key"], undefined);
      const review = renderNodeBundle(c, node);
      const file = review.files.find((f) => f.path === K3S_PATHS.configFile)!;
      assert.equal(file.secret, true, "no k3sToken, still a secret file");
      assert.ok(!file.content.includes("s3-SECRET-value") && !JSON.stringify(review.k3sConfig).includes("s3-SECRET-value"));
      assert.equal(review.k3sConfig["etcd-s3-secret-key"], SECRET_PLACEHOLDER);
      assert.equal(review.k3sConfig["etcd-s3-bucket"], "snapshots");
      const real = renderNodeBundle(c, node, (s) => s);
      assert.equal(YAML.parse(real.files.find((f) => f.path === K3S_PATHS.configFile)!.content)["etcd-s3-secret-key"], "s3-SECRET-value");
      assert.equal(renderNodeBundle(c, c.nodes[1]).files.find((f) => f.path === K3S_PATHS.configFile)!.secret, false, "the agent has none");
    });
    it("is deterministic", () => {
      assert.deepEqual(renderNodeBundle(cfg, server), renderNodeBundle(config(), server));
    });
  });
});
