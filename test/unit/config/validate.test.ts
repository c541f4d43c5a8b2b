import { SUPPORTED_BENCHMARKS } from "../../../components/cis";
import assert from "node:assert/strict";
import { ConfigError, validateStackConfig } from "../../../components/config/validate";
import { checkPredictedCompliance } from "../../../components/k3s/compliance";
import { config, rawConfig, rawNode, TEST_HOST_KEY } from "../helpers";

/** Expect validation to fail with a problem that mentions `key` and matches `fix`. */
function rejects(raw: ReturnType<typeof rawConfig>, key: string, fix: RegExp): void {
  let err: unknown;
  try {
    checkPredictedCompliance(validateStackConfig(raw));
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, `expected a ConfigError for ${key}, got ${String(err)}`);
  const hit = err.problems.find((p) => p.startsWith(key) && fix.test(p));
  assert.ok(hit, `no problem for ${key} matching ${fix}; got:\n${err.problems.join("\n")}`);
}

describe("stack configuration validation", () => {
  it("accepts the baseline and fills defaults", () => {
    const cfg = config();
    assert.equal(cfg.nodes.length, 5);
    assert.equal(cfg.profile.benchmark, "k3s-cis-1.12");
    assert.equal(cfg.profile.k3sVersion, undefined);
    assert.equal(cfg.nodes[0].port, 22);
    assert.equal(cfg.nodes[0].user, "root");
    assert.equal(cfg.nodes[0].sudo, false);
    assert.deepEqual(cfg.profile.admission.plugins, ["NodeRestriction", "EventRateLimit", "DenyServiceExternalIPs"]);
    assert.equal(cfg.profile.kubelet.seccompDefault, false);
    assert.equal(cfg.profile.audit.maxAgeDays, 30);
    assert.equal(cfg.rollout.agentBatchSize, 1);
    assert.equal(cfg.restoreOnDestroy, false);
    assert.equal(cfg.driftCheck, true);
    assert.ok(cfg.nodes.every((n) => n.restoreOnDestroy === false));
  });

  it("takes restoreOnDestroy per node, defaulting to the stack's", () => {
    const nodes = [rawNode("cp-1", "server", 1), { ...rawNode("wk-1", "agent", 2), restoreOnDestroy: false }];
    const cfg = validateStackConfig(rawConfig({ restoreOnDestroy: true }, nodes));
    assert.deepEqual(cfg.nodes.map((n) => n.restoreOnDestroy), [true, false]);
    rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), restoreOnDestroy: "yes" }]), "nodes[0].restoreOnDestroy", /true or false|boolean/);
    rejects(rawConfig({ driftCheck: "off" }), "driftCheck", /true or false|boolean/);
  });

  it("accepts every supported benchmark", () => {
    for (const id of SUPPORTED_BENCHMARKS) assert.equal(config({ benchmark: id }).profile.benchmark, id);
  });

  describe("k3sVersion chooses the benchmark by Rancher's table", () => {
    const cases: Array<[string, string]> = [
      ["v1.25.16+k3s4", "k3s-cis-1.7"],
      ["v1.26.15+k3s1", "k3s-cis-1.8"],
      ["v1.27.16+k3s1", "k3s-cis-1.9"],
      ["v1.28.15+k3s1", "k3s-cis-1.10"],
      ["v1.29.0+k3s1", "k3s-cis-1.11"],
      ["v1.31.14+k3s1", "k3s-cis-1.11"],
      ["v1.32.0+k3s1", "k3s-cis-1.12"],
      ["v1.35.2+k3s1", "k3s-cis-1.12"],
      ["1.36", "k3s-cis-1.12"],
    ];
    for (const [version, id] of cases) {
      it(`${version} -> ${id}`, () => {
        const cfg = config({ k3sVersion: version });
        assert.equal(cfg.profile.benchmark, id);
        assert.equal(cfg.profile.k3sVersion, version);
      });
    }
    it("accepts an explicit benchmark that covers the version", () =>
      assert.equal(config({ k3sVersion: "v1.30.4+k3s1", benchmark: "k3s-cis-1.11" }).profile.benchmark, "k3s-cis-1.11"));
    it("rejects a benchmark that does not cover the version, naming both, the range and the fix", () =>
      rejects(rawConfig({ k3sVersion: "v1.33.4+k3s1", benchmark: "k3s-cis-1.9" }), "benchmark", /k3s-cis-1\.9 is for Kubernetes 1\.27, but k3sVersion v1\.33\.4\+k3s1 is 1\.33; use k3s-cis-1\.12/));
    it("names the range of a multi-version profile", () =>
      rejects(rawConfig({ k3sVersion: "v1.28.2+k3s1", benchmark: "k3s-cis-1.11" }), "benchmark", /k3s-cis-1\.11 is for Kubernetes 1\.29-1\.31/));
    it("rejects a version older than every profile", () => rejects(rawConfig({ k3sVersion: "v1.24.17+k3s1" }), "k3sVersion", /older than every supported profile.*k3s-cis-1\.7.*1\.25/));
    it("rejects what is not a version", () => rejects(rawConfig({ k3sVersion: "latest" }), "k3sVersion", /not a k3s version.*v1\.33\.4\+k3s1/));
  });

  it("reports every problem at once", () => {
    try {
      validateStackConfig(rawConfig({ benchmark: "cis-2.0", cluster: "Bad_Name" }));
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 2);
    }
  });

  describe("nodes", () => {
    it("rejects an unknown role", () => rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), role: "master" }]), "nodes[0].role", /one of server, agent/));
    it("rejects duplicate names", () =>
      rejects(rawConfig({}, [rawNode("cp-1", "server", 1), rawNode("cp-1", "agent", 2)]), "nodes[1].name", /duplicate node name/));
    it("rejects duplicate hosts", () =>
      rejects(rawConfig({}, [rawNode("cp-1", "server", 1), rawNode("wk-1", "agent", 1)]), "nodes[1].host", /duplicate host/));
    for (const [a, b] of [
      ["cp-1.example.internal", "CP-1.Example.Internal."],
      ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
      ["fd00::a", "FD00:0:0::A"],
      ["10.0.0.7", "::ffff:10.0.0.7"],
    ]) {
      it(`rejects the same host in another spelling: ${a} and ${b}`, () => {
        const nodes = [{ ...rawNode("cp-1", "server", 1), host: a }, { ...rawNode("wk-1", "agent", 2), host: b }];
        rejects(rawConfig({}, nodes), "nodes[1].host", /duplicate host/);
      });
    }
    it("accepts the same address on another port", () => {
      const nodes = [rawNode("cp-1", "server", 1), { ...rawNode("wk-1", "agent", 1), port: 2222 }];
      assert.doesNotThrow(() => validateStackConfig(rawConfig({}, nodes)));
    });
    it("rejects an invalid host", () =>
      rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), host: "10.0.0" }]), "nodes[0].host", /not a valid address/));
    it("rejects an invalid port", () =>
      rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), port: 70000 }]), "nodes[0].port", /1 to 65535/));
    it("rejects a missing private key", () => {
      const raw = rawConfig({}, [rawNode("cp-1", "server", 1)]);
      delete raw.values.sshPrivateKey;
      rejects(raw, "nodes[0].privateKey", /no SSH private key/);
    });
    it("rejects a private key given in plain text", () => {
      const raw = rawConfig();
      raw.secretKeys = new Set();
      rejects(raw, "sshPrivateKey", /plain text.*--secret/);
    });
    it("rejects a stack without a server", () => rejects(rawConfig({}, [rawNode("wk-1", "agent", 1)]), "nodes", /no node has role server/));
    it("rejects an empty node list", () => rejects(rawConfig({ nodes: [] }), "nodes", /at least one node/));
    it("requires a host key unless explicitly waived", () => {
      const { hostKey: _h, ...noKey } = rawNode("cp-1", "server", 1) as { hostKey: string };
      rejects(rawConfig({}, [noKey]), "nodes[0].hostKey", /ssh-keyscan.*insecureIgnoreHostKey/);
      const cfg = config({}, [{ ...noKey, insecureIgnoreHostKey: true }]);
      assert.equal(cfg.nodes[0].hostKey, undefined);
    });
    it("rejects a malformed host key", () =>
      rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), hostKey: "AAAA" }]), "nodes[0].hostKey", /public host key/));
    it("needs sudo for a non-root user", () => {
      rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), user: "ops", sudo: false }]), "nodes[0].sudo", /sudo: true/);
      assert.equal(config({}, [{ ...rawNode("cp-1", "server", 1), user: "ops" }]).nodes[0].sudo, true);
    });
    it("rejects k3s settings the profile manages", () =>
      rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), k3sSettings: { "kubelet-arg": ["x=y"] } }]), "nodes[0].k3sSettings.kubelet-arg", /extraArgs.kubelet/));
    for (const [k, v, fix] of [
      ["t", "K10plain", /k3s reads it as token\); set k3sToken/],
      ["token+", "K10plain", /k3s reads it as token, appended\); set k3sToken/],
      ["secrets-encryption+", true, /k3s reads it as secrets-encryption, appended\); set secretsEncryption/],
      ["cluster-init+", false, /set embeddedEtcd/],
      ["kube-apiserver-arg+", ["profiling=true"], /set extraArgs.apiserver/],
    ] as const) {
      it(`rejects a managed setting in another spelling k3s accepts: ${k}`, () =>
        rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), k3sSettings: { [k]: v } }]), `nodes[0].k3sSettings.${k}`, fix));
    }
    it("rejects unknown node keys (typos)", () =>
      rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), hostkey: TEST_HOST_KEY }]), "nodes[0].hostkey", /unknown key/));
  });

  describe("extra args", () => {
    const withArgs = (component: string, args: string[]) => rawConfig({ extraArgs: { [component]: args } });
    it("requires name=value", () => rejects(withArgs("apiserver", ["anonymous-auth"]), "extraArgs.apiserver[0]", /name=value/));
    it("rejects leading dashes", () => rejects(withArgs("apiserver", ["--v=2"]), "extraArgs.apiserver[0]", /without leading dashes/));
    it("rejects += which hides the value from kube-bench", () =>
      rejects(withArgs("apiserver", ["tls-min-version+=VersionTLS13"]), "extraArgs.apiserver[0]", /passes the flag twice|pass the flag twice/));
    it("rejects anonymous-auth=true", () => rejects(withArgs("apiserver", ["anonymous-auth=true"]), "extraArgs.apiserver[0]", /weakens a CIS control/));
    it("rejects apiserver profiling=true", () => rejects(withArgs("apiserver", ["profiling=true"]), "extraArgs.apiserver[0]", /weakens/));
    it("rejects kubelet read-only-port other than 0", () => rejects(withArgs("kubelet", ["read-only-port=10255"]), "extraArgs.kubelet[0]", /weakens/));
    it("rejects kubelet anonymous-auth=true", () => rejects(withArgs("kubelet", ["anonymous-auth=true"]), "extraArgs.kubelet[0]", /weakens/));
    it("rejects AlwaysAllow authorization", () =>
      rejects(withArgs("apiserver", ["authorization-mode=AlwaysAllow"]), "extraArgs.apiserver[0]", /AlwaysAllow/));
    it("rejects the guide's service.key pin", () =>
      rejects(withArgs("controllerManager", ["service-account-private-key-file=/var/lib/rancher/k3s/server/tls/service.key"]), "extraArgs.controllerManager[0]", /service.current.key/));
    it("rejects the guide's rotate-certificates", () => rejects(withArgs("kubelet", ["rotate-certificates=true"]), "extraArgs.kubelet[0]", /issues kubelet certificates/));
    it("rejects a flag under the wrong component", () => {
      rejects(withArgs("apiserver", ["read-only-port=0"]), "extraArgs.apiserver[0]", /kubelet flag.*extraArgs.kubelet/);
      rejects(withArgs("kubelet", ["token-auth-file=/x"]), "extraArgs.kubelet[0]", /apiserver flag/);
    });
    it("rejects flags the profile owns", () => {
      rejects(withArgs("kubelet", ["event-qps=0"]), "extraArgs.kubelet[0]", /kubelet.eventQps/);
      rejects(withArgs("apiserver", ["audit-log-path=/tmp/a.log"]), "extraArgs.apiserver[0]", /audit.logPath/);
      rejects(withArgs("apiserver", ["enable-admission-plugins=EventRateLimit"]), "extraArgs.apiserver[0]", /admission.plugins/);
    });
    // Every input found to weaken a control while passing validation (issue 11, item 5), by its meaning.
    for (const [values, key, fix] of [
      [{ extraArgs: { apiserver: ["kubelet-certificate-authority="] } }, "extraArgs.apiserver[0]", /empty CA turns off verification/],
      [{ extraArgs: { apiserver: ["client-ca-file="] } }, "extraArgs.apiserver[0]", /empty file turns off/],
      [{ extraArgs: { apiserver: ["etcd-cafile= "] } }, "extraArgs.apiserver[0]", /empty file turns off/],
      [{ extraArgs: { apiserver: ["disable-admission-plugins=PodSecurity"] } }, "extraArgs.apiserver[0]", /turns off PodSecurity/],
      [{ extraArgs: { apiserver: ["disable-admission-plugins=ServiceAccount, NodeRestriction"] } }, "extraArgs.apiserver[0]", /turns off ServiceAccount, NodeRestriction/],
      [{ extraArgs: { apiserver: ["authorization-mode=Node,RBAC, AlwaysAllow"] } }, "extraArgs.apiserver[0]", /AlwaysAllow disables authorization/],
      [{ extraArgs: { apiserver: ["authorization-mode=Node, AlwaysAllow"] } }, "extraArgs.apiserver[0]", /AlwaysAllow disables authorization/],
      [{ extraArgs: { etcd: ["client-cert-auth=false"] } }, "extraArgs.etcd[0]", /without a certificate/],
      [{ extraArgs: { etcd: ["peer-client-cert-auth=false"] } }, "extraArgs.etcd[0]", /without a certificate/],
      [{ extraArgs: { etcd: ["auto-tls=true"] } }, "extraArgs.etcd[0]", /not verified/],
      [{ extraArgs: { etcd: ["peer-auto-tls=true"] } }, "extraArgs.etcd[0]", /not verified/],
      [{ extraArgs: { etcd: ["cipher-suites=TLS_RSA_WITH_RC4_128_SHA"] } }, "extraArgs.etcd[0]", /TLS_RSA_WITH_RC4_128_SHA not in the CIS list/],
      [{ kubelet: { streamingConnectionIdleTimeout: "0m0s" } }, "kubelet.streamingConnectionIdleTimeout", /positive duration/],
      [{ kubelet: { streamingConnectionIdleTimeout: "0h0m0.0s" } }, "kubelet.streamingConnectionIdleTimeout", /positive duration/],
      [{ requestTimeout: "0m0s" }, "requestTimeout", /positive duration/],
      [{ kubelet: { tlsCipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_RC4_128_SHA"] } }, "kubelet.tlsCipherSuites", /TLS_RSA_WITH_RC4_128_SHA not in the CIS list/],
      [{ admission: { plugins: ["NodeRestriction", "EventRateLimit,AlwaysAdmit"] } }, "admission.plugins[1]", /not one admission plugin name/],
    ] as const) {
      it(`rejects a weakening value by its meaning: ${JSON.stringify(values)}`, () => rejects(rawConfig(values), key, fix));
    }
    for (const mode of ["0644", "644", 644, "0640", "0606"]) {
      it(`rejects a k3sSettings write-kubeconfig-mode that others can read: ${JSON.stringify(mode)}`, () =>
        rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), k3sSettings: { "write-kubeconfig-mode": mode } }]), "nodes[0].k3sSettings.write-kubeconfig-mode", /lets other users read the admin kubeconfig/));
    }
    it("accepts write-kubeconfig-mode 0600 and a positive duration spelled with zero parts", () => {
      assert.equal(config({}, [{ ...rawNode("cp-1", "server", 1), k3sSettings: { "write-kubeconfig-mode": "0600" } }]).nodes[0].k3sSettings["write-kubeconfig-mode"], "0600");
    });
    it("requires k3s's credential settings to be stack secrets, in every spelling", () => {
      for (const k of ["etcd-s3-secret-key", "etcd-s3-access-key", "datastore-endpoint", "vpn-auth", "etcd-s3-secret-key+"]) {
        rejects(rawConfig({}, [{ ...rawNode("cp-1", "server", 1), k3sSettings: { [k]: "plain" } }]), `nodes[0].k3sSettings.${k}`, /is stored in plain text; store it encrypted: pulumi config set --secret --path/);
      }
      // From a stack file: a {secure} value is accepted (its plaintext is unknown there).
      const file = rawConfig({}, [{ ...rawNode("cp-1", "server", 1), k3sSettings: { "etcd-s3-secret-key": { secure: "v1:abc" } } }]);
      file.source = "file";
      file.secretKeys = new Set(["nodes", "sshPrivateKey"]);
      file.values.sshPrivateKey = { secure: "v1:xyz" };
      assert.match(validateStackConfig(file).nodes[0].k3sSecrets["etcd-s3-secret-key"].value, /^<secret: /);
      assert.equal(config({ kubelet: { streamingConnectionIdleTimeout: "0h5m0s" } }).profile.kubelet.streamingConnectionIdleTimeout, "0h5m0s");
    });
    it("rejects an unknown component", () => rejects(rawConfig({ extraArgs: { kubeproxy: [] } }), "extraArgs.kubeproxy", /unknown key/));
    it("accepts a harmless flag", () => assert.deepEqual(config({ extraArgs: { apiserver: ["tls-min-version=VersionTLS12"] } }).profile.extraArgs.apiserver, ["tls-min-version=VersionTLS12"]));
    it("rejects an extra arg that the kube-bench prediction says breaks a control", () =>
      rejects(withArgs("apiserver", ["tls-cipher-suites=TLS_RSA_WITH_RC4_128_SHA"]), "extraArgs", /FAIL on server nodes/));
  });

  describe("profile", () => {
    it("rejects an unknown benchmark", () => rejects(rawConfig({ benchmark: "k3s-cis-1.6" }), "benchmark", /k3s-cis-1.7, k3s-cis-1.8, k3s-cis-1.9, k3s-cis-1.10, k3s-cis-1.11, k3s-cis-1.12/));
    it("rejects kubelet eventQps 0 (unlimited)", () => rejects(rawConfig({ kubelet: { eventQps: 0 } }), "kubelet.eventQps", /unlimited/));
    it("rejects a zero streaming timeout", () =>
      rejects(rawConfig({ kubelet: { streamingConnectionIdleTimeout: "0s" } }), "kubelet.streamingConnectionIdleTimeout", /positive duration/));
    it("rejects admission plugins without NodeRestriction", () =>
      rejects(rawConfig({ admission: { plugins: ["EventRateLimit"] } }), "admission.plugins", /must include NodeRestriction/));
    it("rejects EventRateLimit without limits", () =>
      rejects(rawConfig({ admission: { eventRateLimits: [] } }), "admission.eventRateLimits", /no limits.*will not start/));
    it("rejects an unknown Pod Security level", () => rejects(rawConfig({ admission: { podSecurity: { enforce: "strict" } } }), "admission.podSecurity.enforce", /privileged, baseline, restricted/));
    it("rejects audit retention below the CIS minimum", () => {
      rejects(rawConfig({ audit: { maxAgeDays: 7 } }), "audit.maxAgeDays", /at least 30 days/);
      rejects(rawConfig({ audit: { maxBackups: 2 } }), "audit.maxBackups", /at least 10/);
      rejects(rawConfig({ audit: { maxSizeMb: 10 } }), "audit.maxSizeMb", /at least 100/);
    });
    it("rejects a relative audit path", () => rejects(rawConfig({ audit: { logPath: "audit.log" } }), "audit.logPath", /absolute/));
    for (const logPath of ["/tmp/audit.log", "/var/log/kube-audit.log", "/etc/audit.log", "/audit.log", "/var/lib/rancher/k3s/server/audit.log", "/tmp/k3s/audit.log", "/run/audit/audit.log", "/var/lib/rancher/k3s/agent/audit.log"]) {
      it(`rejects an audit log in a directory other programs use: ${logPath}`, () =>
        rejects(rawConfig({ audit: { logPath } }), "audit.logPath", /which other programs use: .*a directory of its own/));
    }
    for (const [values, key, fix] of [
      [{ audit: { policyPath: "/etc/rancher/k3s/config.yaml" } }, "audit.policyPath", /is also config\.yaml; every file the hardening writes needs its own path/],
      [{ admission: { configPath: "/var/lib/rancher/k3s/server/audit.yaml" } }, "admission.configPath", /is also audit\.policyPath/],
      [{ audit: { policyPath: "/etc/sudoers" } }, "audit.policyPath", /outside the folders k3s's files live in; use a path under \/etc\/rancher\//],
      [{ audit: { policyPath: "/etc" } }, "audit.policyPath", /outside the folders/],
      [{ audit: { policyPath: "/etc/rancher/k3s" } }, "audit.policyPath", /a folder that holds \/etc\/rancher\/k3s\/config\.yaml; it must be a file path/],
      [{ audit: { policyPath: "/var/lib/rancher/k3s" } }, "audit.policyPath", /is a folder; it must be a file path/],
      [{ admission: { configPath: "/var/lib/rancher/k3s-hardening/lock" } }, "admission.configPath", /inside \/var\/lib\/rancher\/k3s-hardening, a folder the hardening or k3s keeps for itself/],
      [{ admission: { configPath: "/etc/rancher/k3s/config.yaml.d/psa.yaml" } }, "admission.configPath", /inside \/etc\/rancher\/k3s\/config\.yaml\.d/],
      [{ admission: { configPath: "/var/lib/rancher/k3s/server/logs/audit.log" } }, "audit.logPath", /is also admission\.configPath/],
      [{ audit: { logPath: "/srv/audit/audit.log" } }, "audit.logPath", /use a path under \/var\/lib\/rancher\/ or \/var\/log\//],
    ] as const) {
      it(`rejects a managed path that collides or is misplaced: ${key} ${JSON.stringify(values)}`, () => rejects(rawConfig(values), key, fix));
    }
    it("accepts managed paths of their own under the k3s folders", () => {
      const c = config({ audit: { policyPath: "/etc/kubernetes/audit-policy.yaml" }, admission: { configPath: "/etc/rancher/k3s/admission.yaml" } });
      assert.equal(c.profile.audit.policyPath, "/etc/kubernetes/audit-policy.yaml");
    });
    it("accepts an audit log in a directory of its own", () => {
      assert.equal(config({ audit: { logPath: "/var/log/kube-audit/audit.log" } }).profile.audit.logPath, "/var/log/kube-audit/audit.log");
      assert.equal(config().profile.audit.logPath, "/var/lib/rancher/k3s/server/logs/audit.log");
    });
    it("rejects an audit policy that logs nothing", () => rejects(rawConfig({ audit: { rules: [{ level: "None" }] } }), "audit.rules", /log nothing/));
    it("rejects rollout values out of range", () => {
      rejects(rawConfig({ rollout: { agentBatchSize: 0 } }), "rollout.agentBatchSize", /1 to 1000/);
      rejects(rawConfig({ rollout: { healthTimeoutSeconds: 1 } }), "rollout.healthTimeoutSeconds", /10 to 3600/);
    });
    it("rejects unknown top-level keys", () => rejects(rawConfig({ auditt: {} }), "auditt", /unknown configuration key/));
    it("warns about opt-in secrets encryption", () => {
      const cfg = config({ secretsEncryption: true });
      assert.ok(cfg.warnings.some((w) => /secretsEncryption is on/.test(w)));
    });
  });
});
