// Tests for the CIS catalog data (components/cis/catalog/*). Expected numbers were counted from
// kube-bench's cfg/k3s-cis-{1.7,1.8,1.9}/*.yaml (v0.15.6) and security-scan's
// package/cfg/k3s-cis-{1.10,1.11,1.12}/*.yaml (38bebe71); checkFiles.test.ts compares every check.
import assert from "node:assert/strict";
import {
  Benchmark,
  BenchmarkId,
  CompareOp,
  Control,
  FlagComponent,
  SUPPORTED_BENCHMARKS,
  TOPICS,
  Topic,
  controlById,
  controlByTopic,
  criticalControls,
  getBenchmark,
} from "../../../components/cis";

interface Expected {
  cisVersion: string;
  total: number;
  automated: number;
  manual: number;
  skip: number;
  scored: number;
  /** Automated (type-less) checks that have no test in kube-bench: always WARN. */
  automatedWithoutTests: string[];
  byTarget: Record<Control["target"], number>;
}

const EXPECTED: Record<BenchmarkId, Expected> = {
  "k3s-cis-1.7": {
    cisVersion: "1.7",
    total: 131,
    automated: 82,
    manual: 34,
    skip: 15,
    scored: 68,
    automatedWithoutTests: ["5.2.3", "5.2.4", "5.2.5", "5.3.2", "5.7.4"],
    byTarget: { master: 61, etcd: 7, controlplane: 5, node: 23, policies: 35 },
  },
  "k3s-cis-1.8": {
    cisVersion: "1.8",
    total: 130,
    automated: 81,
    manual: 34,
    skip: 15,
    scored: 68,
    automatedWithoutTests: ["5.2.3", "5.2.4", "5.2.5", "5.3.2", "5.7.4"],
    byTarget: { master: 60, etcd: 7, controlplane: 5, node: 23, policies: 35 },
  },
  "k3s-cis-1.9": {
    cisVersion: "1.9",
    total: 130,
    automated: 83,
    manual: 33,
    skip: 14,
    scored: 62,
    automatedWithoutTests: ["5.3.2", "5.7.4"],
    byTarget: { master: 59, etcd: 7, controlplane: 5, node: 24, policies: 35 },
  },
  "k3s-cis-1.10": {
    cisVersion: "1.10",
    total: 130,
    automated: 89,
    manual: 27,
    skip: 14,
    scored: 72,
    automatedWithoutTests: ["5.3.2", "5.7.4"],
    byTarget: { master: 59, etcd: 7, controlplane: 5, node: 24, policies: 35 },
  },
  "k3s-cis-1.11": {
    cisVersion: "1.11",
    total: 132,
    automated: 93,
    manual: 25,
    skip: 14,
    scored: 68,
    automatedWithoutTests: ["5.3.2", "5.6.4"],
    byTarget: { master: 60, etcd: 7, controlplane: 5, node: 25, policies: 35 },
  },
  "k3s-cis-1.12": {
    cisVersion: "1.12",
    total: 131,
    automated: 92,
    manual: 25,
    skip: 14,
    scored: 68,
    automatedWithoutTests: ["5.3.2", "5.6.4"],
    byTarget: { master: 60, etcd: 7, controlplane: 5, node: 25, policies: 34 },
  },
};

const CRITICAL: Topic[] = [
  "api.anonymous-auth",
  "api.authorization-mode.rbac",
  "api.audit-log-path",
  "logging.audit-policy",
  "pod.privileged",
  "sa.default-not-used",
  "kubelet.anonymous-auth",
  "rbac.cluster-admin",
];

const COMPONENTS: FlagComponent[] = ["apiserver", "controllermanager", "scheduler", "kubelet", "etcd"];
const OPS: CompareOp[] = [
  "eq",
  "noteq",
  "gt",
  "gte",
  "lt",
  "lte",
  "has",
  "nothave",
  "regex",
  "valid_elements",
  "bitmask",
  "noteqx",
];
const TARGET_OF_CHAPTER: Record<string, Control["target"]> = {
  "1": "master",
  "2": "etcd",
  "3": "controlplane",
  "4": "node",
  "5": "policies",
};

/** Ids of topic-carrying controls that move between versions, in SUPPORTED_BENCHMARKS order ("-": absent). */
const MOVING_TOPICS: Array<[Topic, ...string[]]> = [
  ["api.admission.service-account", "1.2.13", "1.2.13", "1.2.12", "1.2.12", "1.2.12", "1.2.12"],
  ["api.admission.namespace-lifecycle", "1.2.14", "1.2.14", "1.2.13", "1.2.13", "1.2.13", "1.2.13"],
  ["api.admission.node-restriction", "1.2.15", "1.2.15", "1.2.14", "1.2.14", "1.2.14", "1.2.14"],
  ["api.profiling", "1.2.17", "1.2.16", "1.2.15", "1.2.15", "1.2.15", "1.2.15"],
  ["api.audit-log-path", "1.2.18", "1.2.17", "1.2.16", "1.2.16", "1.2.16", "1.2.16"],
  ["api.audit-log-maxage", "1.2.19", "1.2.18", "1.2.17", "1.2.17", "1.2.17", "1.2.17"],
  ["api.audit-log-maxbackup", "1.2.20", "1.2.19", "1.2.18", "1.2.18", "1.2.18", "1.2.18"],
  ["api.audit-log-maxsize", "1.2.21", "1.2.20", "1.2.19", "1.2.19", "1.2.19", "1.2.19"],
  ["api.request-timeout", "1.2.22", "1.2.21", "1.2.20", "1.2.20", "1.2.20", "1.2.20"],
  ["api.service-account-lookup", "1.2.23", "1.2.22", "1.2.21", "1.2.21", "1.2.21", "1.2.21"],
  ["api.encryption-provider-config", "1.2.29", "1.2.28", "1.2.27", "1.2.27", "1.2.27", "1.2.27"],
  ["api.encryption-providers", "1.2.30", "1.2.29", "1.2.28", "1.2.28", "1.2.28", "1.2.28"],
  ["api.tls-cipher-suites", "1.2.31", "1.2.30", "1.2.29", "1.2.29", "1.2.29", "1.2.29"],
  ["api.service-account-extend-token-expiration", "-", "-", "-", "-", "1.2.30", "1.2.30"],
  ["kubelet.seccomp-default", "-", "-", "-", "-", "4.2.14", "4.2.14"],
  // 1.12 folds "added capabilities" into "capabilities assigned" and moves the rest of 5.2 up one.
  // (1.12 answers the added-capabilities topic with the broader check.)
  ["pod.added-capabilities", "5.2.9", "5.2.9", "5.2.9", "5.2.9", "5.2.9", "5.2.9"],
  ["pod.capabilities-all", "5.2.10", "5.2.10", "5.2.10", "5.2.10", "5.2.10", "5.2.9"],
  ["pod.windows-host-process", "5.2.11", "5.2.11", "5.2.11", "5.2.11", "5.2.11", "5.2.10"],
  ["pod.host-path", "5.2.12", "5.2.12", "5.2.12", "5.2.12", "5.2.12", "5.2.11"],
  ["pod.host-port", "5.2.13", "5.2.13", "5.2.13", "5.2.13", "5.2.13", "5.2.12"],
  // 1.11 renumbers "General policies" from 5.7 to 5.6.
  ["namespace.boundaries", "5.7.1", "5.7.1", "5.7.1", "5.7.1", "5.6.1", "5.6.1"],
  ["pod.seccomp", "5.7.2", "5.7.2", "5.7.2", "5.7.2", "5.6.2", "5.6.2"],
  ["pod.security-context", "5.7.3", "5.7.3", "5.7.3", "5.7.3", "5.6.3", "5.6.3"],
  ["namespace.default", "5.7.4", "5.7.4", "5.7.4", "5.7.4", "5.6.4", "5.6.4"],
];

function get(bench: Benchmark, id: string): Control {
  const c = controlById(bench, id);
  assert.ok(c, `${bench.id}: no control ${id}`);
  return c;
}

function topicId(bench: Benchmark, topic: Topic): string | undefined {
  return controlByTopic(bench, topic)?.id;
}

describe("CIS catalog", () => {
  for (const id of SUPPORTED_BENCHMARKS) {
    describe(id, () => {
      const bench = getBenchmark(id);
      const exp = EXPECTED[id];

      it("has the right id and CIS version", () => {
        assert.equal(bench.id, id);
        assert.equal(bench.cisVersion, exp.cisVersion);
      });

      it("has unique control ids", () => {
        const ids = bench.controls.map((c) => c.id);
        assert.equal(new Set(ids).size, ids.length);
      });

      it("puts every control in a known section, and every section has controls", () => {
        for (const c of bench.controls) {
          assert.ok(Object.prototype.hasOwnProperty.call(bench.sections, c.section), `${c.id}: ${c.section}`);
          assert.ok(c.id === c.section || c.id.startsWith(`${c.section}.`), `${c.id} not under ${c.section}`);
          assert.equal(c.target, TARGET_OF_CHAPTER[c.section.split(".")[0]], `${c.id} target`);
        }
        for (const s of Object.keys(bench.sections)) {
          assert.ok(
            bench.controls.some((c) => c.section === s),
            `section ${s} is empty`,
          );
        }
      });

      it("matches kube-bench's counts per kind, scored and target", () => {
        const count = (pred: (c: Control) => boolean) => bench.controls.filter(pred).length;
        assert.equal(bench.controls.length, exp.total);
        assert.equal(count((c) => c.kind === "automated"), exp.automated);
        assert.equal(count((c) => c.kind === "manual"), exp.manual);
        assert.equal(count((c) => c.kind === "skip"), exp.skip);
        assert.equal(count((c) => c.scored), exp.scored);
        for (const [target, n] of Object.entries(exp.byTarget)) {
          assert.equal(count((c) => c.target === target), n, target);
        }
      });

      it("gives the test-less automated checks no check spec", () => {
        for (const cid of exp.automatedWithoutTests) {
          const c = get(bench, cid);
          assert.equal(c.kind, "automated", cid);
          assert.equal(c.check.kind, "other", cid);
        }
      });

      it("uses each topic at most once, and only known topics", () => {
        const topics = bench.controls.flatMap((c) => (c.topic ? [c.topic] : []));
        assert.equal(new Set(topics).size, topics.length);
        for (const t of topics) assert.ok((TOPICS as readonly string[]).includes(t), t);
      });

      it("has well-formed check specs", () => {
        for (const c of bench.controls) {
          const chk = c.check;
          if (chk.kind === "flag") {
            assert.ok(COMPONENTS.includes(chk.component), `${c.id}: component ${chk.component}`);
            assert.ok(chk.binOp === "and" || chk.binOp === "or", `${c.id}: binOp`);
            assert.ok(chk.items.length > 0, `${c.id}: no items`);
            for (const item of chk.items) {
              assert.ok(item.flag.length > 0, `${c.id}: empty flag`);
              assert.equal(typeof item.set, "boolean", `${c.id}: set is written out`);
              if (item.compare) {
                assert.ok(OPS.includes(item.compare.op), `${c.id}: op ${item.compare.op}`);
                assert.equal(typeof item.compare.value, "string", `${c.id}: value`);
                assert.equal(item.set, true, `${c.id}: a compared flag must be present`);
              }
            }
          } else if (chk.kind === "file") {
            assert.ok(chk.path.startsWith("/"), `${c.id}: path ${chk.path}`);
            if (chk.property === "permissions") assert.match(chk.expected, /^[0-7]{3}$/, c.id);
            else assert.match(chk.expected, /^[a-z]+:[a-z]+$/, c.id);
          }
        }
      });

      it("has one-line titles and remediations", () => {
        for (const c of bench.controls) {
          for (const text of [c.title, c.remediation]) {
            assert.ok(text.length > 0 && text.length <= 160, `${c.id}: ${text}`);
            assert.ok(!text.includes("\n"), `${c.id}: multi-line`);
          }
        }
      });

      it("marks exactly the critical topics critical", () => {
        const crit = criticalControls(bench).map((c) => c.topic);
        assert.deepEqual([...crit].sort(), [...CRITICAL].sort());
      });

      it("marks skip controls low", () => {
        for (const c of bench.controls.filter((x) => x.kind === "skip")) assert.equal(c.severity, "low", c.id);
      });

      it("finds the same policy controls by topic and id", () => {
        assert.equal(get(bench, "5.1.1").topic, "rbac.cluster-admin");
        assert.equal(get(bench, "5.1.5").topic, "sa.default-not-used");
        assert.equal(get(bench, bench.sections["5.7"] ? "5.7.4" : "5.6.4").topic, "namespace.default");
        assert.equal(get(bench, "5.2.2").topic, "pod.privileged");
        assert.equal(get(bench, "3.2.1").topic, "logging.audit-policy");
        assert.equal(get(bench, "1.2.6").topic, "api.authorization-mode.not-always-allow");
        assert.equal(get(bench, "1.2.8").topic, "api.authorization-mode.rbac");
        assert.equal(get(bench, "4.2.1").topic, "kubelet.anonymous-auth");
        assert.equal(get(bench, "4.2.6").topic, "kubelet.make-iptables-util-chains");
      });

      it("has no protect-kernel-defaults control (kube-bench's k3s profiles drop it)", () => {
        assert.equal(controlByTopic(bench, "kubelet.protect-kernel-defaults"), undefined);
      });
    });
  }

  describe("version differences", () => {
    const all = SUPPORTED_BENCHMARKS.map(getBenchmark);

    it("moves these topics between ids", () => {
      for (const [topic, ...ids] of MOVING_TOPICS) {
        assert.deepEqual(all.map((b) => topicId(b, topic) ?? "-"), ids, topic);
      }
    });

    it("keeps every other topic on the same id in all versions", () => {
      const moving = new Set(MOVING_TOPICS.map((m) => m[0]));
      for (const t of TOPICS) {
        if (moving.has(t)) continue;
        const ids = all.map((b) => topicId(b, t));
        assert.equal(new Set(ids).size, 1, `${t}: ${ids.join(" ")}`);
      }
    });
  });

  describe("spot checks", () => {
    const b17 = getBenchmark("k3s-cis-1.7");
    const b18 = getBenchmark("k3s-cis-1.8");
    const b19 = getBenchmark("k3s-cis-1.9");

    it("1.7 1.2.1 is apiserver --anonymous-auth eq false", () => {
      const c = get(b17, "1.2.1");
      assert.equal(c.topic, "api.anonymous-auth");
      assert.equal(c.severity, "critical");
      assert.deepEqual(c.check, {
        kind: "flag",
        component: "apiserver",
        binOp: "and",
        items: [{ flag: "--anonymous-auth", set: true, compare: { op: "eq", value: "false" } }],
      });
    });

    it("1.7 audit-log-path is 1.2.18, a manual-text check kube-bench still evaluates (unscored)", () => {
      const c = get(b17, "1.2.18");
      assert.equal(c.topic, "api.audit-log-path");
      assert.equal(c.kind, "automated");
      assert.equal(c.scored, false);
      assert.deepEqual(c.check, {
        kind: "flag",
        component: "apiserver",
        binOp: "and",
        items: [{ flag: "--audit-log-path", set: true }],
      });
      assert.equal(get(b17, "1.2.6").topic, "api.authorization-mode.not-always-allow");
    });

    it("1.7 4.2.6 is kubelet --make-iptables-util-chains", () => {
      const c = get(b17, "4.2.6");
      assert.equal(c.check.kind, "flag");
      if (c.check.kind !== "flag") return;
      assert.equal(c.check.component, "kubelet");
      assert.equal(c.check.binOp, "or");
      assert.deepEqual(c.check.items, [
        { flag: "--make-iptables-util-chains", set: true, compare: { op: "eq", value: "true" } },
        { flag: "--make-iptables-util-chains", set: false },
      ]);
    });

    it("1.7 audit retention and the minimal audit policy", () => {
      const value = (id: string) => {
        const c = get(b17, id);
        return c.check.kind === "flag" ? c.check.items[0].compare?.value : undefined;
      };
      assert.equal(value("1.2.19"), "30");
      assert.equal(value("1.2.20"), "10");
      assert.equal(value("1.2.21"), "100");
      const policy = get(b17, "3.2.1");
      assert.equal(policy.severity, "critical");
      assert.deepEqual(policy.check, {
        kind: "flag",
        component: "apiserver",
        binOp: "and",
        items: [{ flag: "--audit-policy-file", set: true }],
      });
    });

    it("section 5 policies are manual in 1.7; 1.9 automates 5.1.1, 5.1.3, 5.1.5, 5.1.6 via kubectl", () => {
      for (const id of ["5.1.1", "5.1.5"]) {
        assert.equal(get(b17, id).kind, "manual");
        assert.equal(get(b18, id).kind, "manual");
      }
      for (const id of ["5.1.1", "5.1.3", "5.1.5", "5.1.6"]) {
        const c = get(b19, id);
        assert.equal(c.kind, "automated", id);
        assert.equal(c.scored, true, id);
        assert.equal(c.check.kind, "other", id);
      }
    });

    it("1.7 reads 1.2.11 and 1.3.7 from ps, not the journal", () => {
      assert.equal(get(b17, "1.2.11").check.kind, "other");
      assert.equal(get(b17, "1.3.7").check.kind, "other");
      assert.equal(get(b19, "1.2.11").check.kind, "flag");
      assert.equal(get(b19, "1.3.7").check.kind, "flag");
    });

    it("1.9 reads 4.2.1-4.2.3 from the kube-apiserver line", () => {
      for (const id of ["4.2.1", "4.2.2", "4.2.3"]) {
        const c = get(b19, id);
        assert.ok(c.check.kind === "flag" && c.check.component === "apiserver", id);
        const old = get(b17, id);
        assert.ok(old.check.kind === "flag" && old.check.component === "kubelet", id);
      }
    });

    it("1.7 and 1.8 forbid DenyServiceExternalIPs; 1.9 requires it", () => {
      const op = (b: Benchmark) => {
        const c = get(b, "1.2.3");
        return c.check.kind === "flag" ? c.check.items[0].compare?.op : undefined;
      };
      assert.equal(op(b17), "nothave");
      assert.equal(op(b18), "nothave");
      assert.equal(op(b19), "has");
    });

    it("etcd checks read the etcd config", () => {
      for (const b of [b17, b18, b19]) {
        const c = get(b, "2.2");
        assert.deepEqual(c.check, {
          kind: "flag",
          component: "etcd",
          binOp: "and",
          items: [{ flag: "--client-cert-auth", set: true, compare: { op: "eq", value: "true" } }],
        });
      }
    });

    it("file checks resolve kube-bench's variables to k3s paths", () => {
      assert.deepEqual(get(b17, "1.1.15").check, {
        kind: "file",
        path: "/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig",
        property: "permissions",
        expected: "600",
      });
      assert.deepEqual(get(b19, "4.1.8").check, {
        kind: "file",
        path: "/var/lib/rancher/k3s/agent/client-ca.crt",
        property: "owner",
        expected: "root:root",
      });
    });

    it("1.7 has 1.2.16 secure-port; 1.8 dropped it; 1.9 also dropped SecurityContextDeny and added 4.3.1", () => {
      assert.equal(get(b17, "1.2.31").topic, "api.tls-cipher-suites");
      assert.equal(controlById(b18, "1.2.31"), undefined);
      assert.equal(get(b18, "1.2.12").kind, "skip");
      assert.equal(get(b19, "1.2.12").topic, "api.admission.service-account");
      assert.equal(get(b19, "4.3.1").section, "4.3");
      assert.equal(controlById(b17, "4.3.1"), undefined);
    });
  });
});
