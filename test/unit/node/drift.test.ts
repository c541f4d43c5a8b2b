/**
 * Drift: the read-only probe run for real with bash against a temporary root (stand-in sysctl), the
 * apply script putting the node back, and the sync marker that makes drift an input change.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { K3S_PATHS } from "../../../components/k3s/facts";
import { renderNodeBundle } from "../../../components/k3s/render";
import { renderApplyScript } from "../../../components/node/script";
import { compareNode, describeFindings, parseProbeOutput, renderProbeScript, syncMarker } from "../../../components/node/drift";
import { StackConfig } from "../../../components/config/types";
import { config } from "../helpers";
import { newStandinNode as newNode, restartsOn as restarts, runOnNode, StandinNode as Node } from "./standinNode";

const OPTS = { healthTimeoutSeconds: 3, backupsToKeep: 2, journalLines: 5 };



const bash = runOnNode;


describe("drift (probe run with real bash, stand-in k3s)", function () {
  this.timeout(120_000);
  const cfg = config({ k3sToken: "K10-drift-token" });
  const bundle = (c: StackConfig = cfg) => renderNodeBundle(c, c.nodes[0], (s) => s);
  const probe = (node: Node, c: StackConfig = cfg) => {
    const r = bash(node, renderProbeScript(bundle(c)));
    assert.equal(r.status, 0, r.stderr);
    return compareNode(bundle(c), parseProbeOutput(r.stdout));
  };
  const apply = (node: Node, marker: string, c: StackConfig = cfg) => {
    const r = bash(node, renderApplyScript(bundle(c), OPTS), [marker]);
    assert.equal(r.status, 0, r.stderr);
    return r;
  };

  it("a new node is pending, not drifted (everything missing); after the apply with that marker it is in sync with the same marker", () => {
    const node = newNode();
    const first = probe(node);
    assert.ok(first.findings.some((f) => f.category === "pending" && f.item === K3S_PATHS.configFile && f.what === "missing"));
    assert.ok(first.findings.every((f) => f.category === "pending"), "nothing was ever applied: no drift");
    assert.equal(first.marker, "1");
    apply(node, first.marker);
    const second = probe(node);
    assert.deepEqual(second.findings, []);
    assert.equal(second.marker, "1", "in sync: the marker Pulumi holds in its state, so no input change");
  });

  it("the probe changes nothing on the node", () => {
    const node = newNode();
    apply(node, probe(node).marker);
    const snapshot = () => spawnSync("bash", ["-c", `cd ${node.root} && find . -printf '%p %m %s %T@\\n' | sort`], { encoding: "utf8" }).stdout;
    const before = snapshot();
    probe(node);
    assert.equal(snapshot(), before);
  });

  for (const c of [
    {
      what: "an edited config.yaml",
      edit: (n: Node) => fs.appendFileSync(path.join(n.root, K3S_PATHS.configFile), "kubelet-arg+: [read-only-port=10255]\n"),
      item: K3S_PATHS.configFile,
      kind: "content",
      restart: true,
    },
    { what: "a deleted audit policy", edit: (n: Node) => fs.rmSync(path.join(n.root, K3S_PATHS.auditPolicyFile)), item: K3S_PATHS.auditPolicyFile, kind: "missing", restart: true },
    { what: "a file made 0644", edit: (n: Node) => fs.chmodSync(path.join(n.root, K3S_PATHS.admissionConfigFile), 0o644), item: K3S_PATHS.admissionConfigFile, kind: "mode", restart: false },
    {
      what: "a reset kernel parameter",
      edit: (n: Node) => fs.writeFileSync(path.join(n.state, "sysctl", "vm.overcommit_memory"), "0\n"),
      item: "vm.overcommit_memory",
      kind: "value",
      restart: false,
    },
    {
      what: "an audit log directory opened up",
      edit: (n: Node) => fs.chmodSync(path.join(n.root, "var/lib/rancher/k3s/server/logs"), 0o755),
      item: "/var/lib/rancher/k3s/server/logs",
      kind: "mode",
      restart: false,
    },
  ]) {
    it(`finds ${c.what}, the next marker puts it back${c.restart ? " with a restart" : " without a restart"}, and the node is in sync after`, () => {
      const node = newNode();
      const m1 = probe(node).marker;
      apply(node, m1);
      c.edit(node);
      const d = probe(node);
      const drift = d.findings.filter((f) => f.category === "drift");
      assert.deepEqual(
        drift.map((f) => [f.item, f.what, f.restarts]),
        [[c.item, c.kind, c.restart]],
        describeFindings(d, "drift").join("; "),
      );
      assert.notEqual(d.marker, m1, "drift changes the apply command's input");
      assert.equal(d.marker, "2");
      const before = restarts(node).length;
      apply(node, d.marker);
      assert.equal(restarts(node).length - before, c.restart ? 1 : 0);
      const after = probe(node);
      assert.deepEqual(after.findings, []);
      assert.equal(after.marker, d.marker, "the next run is clean");
    });
  }

  it("a configuration change not yet applied is pending, not drift; the marker moves on so a failed update is retried", () => {
    const node = newNode();
    const m1 = probe(node).marker;
    apply(node, m1);
    const changed = config({ k3sToken: "K10-drift-token", audit: { maxAgeDays: 45 } });
    const d = probe(node, changed);
    assert.deepEqual(
      d.findings.map((f) => [f.category, f.item, f.what]),
      [["pending", K3S_PATHS.configFile, "content"]],
    );
    assert.equal(d.marker, "2");
    assert.notEqual(d.marker, m1);
    apply(node, d.marker, changed);
    assert.equal(probe(node, changed).marker, d.marker, "in sync again after the apply");
  });

  it("a failed apply moves the count on, so the retry is still an input change", () => {
    const node = newNode();
    apply(node, probe(node).marker);
    fs.appendFileSync(path.join(node.root, K3S_PATHS.configFile), "# hand edit\n");
    const d = probe(node);
    fs.writeFileSync(path.join(node.state, "fail-health"), "");
    assert.equal(bash(node, renderApplyScript(bundle(), OPTS), [d.marker]).status, 1);
    fs.rmSync(path.join(node.state, "fail-health"));
    const retry = probe(node);
    assert.ok(retry.findings.some((f) => f.category === "drift"));
    assert.notEqual(retry.marker, d.marker, "the failed attempt's marker may be in Pulumi's state");
  });

  it("describes findings without file contents or the token", () => {
    const node = newNode();
    apply(node, probe(node).marker);
    fs.writeFileSync(path.join(node.root, K3S_PATHS.configFile), "token: K10-drift-token\n");
    const text = describeFindings(probe(node), "drift").join("\n");
    assert.match(text, /config\.yaml: content differs/);
    assert.doesNotMatch(text, /K10-drift-token/);
  });

  it("parses probe output strictly", () => {
    assert.throws(() => parseProbeOutput("probe v1\nfile 12 600 0 0 /x\nprobe end\n"), /unreadable probe line/);
    assert.throws(() => parseProbeOutput("probe v1\n"), /incomplete/);
    assert.throws(() => parseProbeOutput("probe-error not-root\n"), /not-root/);
    const interrupted = parseProbeOutput("probe v1\nsync marker=4\nsync attempts=9\ninterrupted\nprobe end\n");
    assert.equal(interrupted.interrupted, true);
    const d = compareNode(bundle(), interrupted);
    assert.ok(d.findings.some((f) => f.category === "drift" && f.what === "interrupted" && f.restarts));
    assert.equal(d.marker, "10");
    assert.equal(syncMarker({ marker: "4", attempts: 9 }, false), "4");
    assert.equal(syncMarker({ marker: "4", attempts: 9 }, true), "10");
  });
});
