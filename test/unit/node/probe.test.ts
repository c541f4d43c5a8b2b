/**
 * The program's own contact with nodes, without a network: command line, connection identity, the probe
 * fan-out and its errors, the restore check's message.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { utils as sshUtils } from "ssh2";
import { applyCommand, connectionId } from "../../../components/node/nodeHardening";
import { probeAllNodes, sshBanner, unreachableRestoreMessage } from "../../../components/node/probe";
import { NodeDrift } from "../../../components/node/drift";
import { NodeSpec } from "../../../components/config/types";
import { config, TEST_HOST_KEY } from "../helpers";

function keyPair(): string {
  const k = sshUtils.generateKeyPairSync("ed25519");
  return k.private;
}

describe("node access from the program", () => {
  const node = config().nodes[0];

  it("passes the sync marker as the apply script's only argument, digits only", () => {
    assert.equal(applyCommand(node, ""), "/bin/bash -s");
    assert.equal(applyCommand(node, "12"), "/bin/bash -s -- 12");
    assert.equal(applyCommand({ ...node, sudo: true }, "3"), "sudo -n /bin/bash -s -- 3");
    assert.throws(() => applyCommand(node, "1; rm -rf /"), /invalid sync marker/);
  });

  it("identifies a connection by its non-secret parts and the public half of the key", () => {
    const a: NodeSpec = { ...node, privateKey: { kind: "secret", value: keyPair() } };
    const b: NodeSpec = { ...node, privateKey: { kind: "secret", value: keyPair() } };
    assert.equal(connectionId(a), connectionId({ ...a }));
    assert.notEqual(connectionId(a), connectionId(b), "another key");
    assert.notEqual(connectionId(a), connectionId({ ...a, hostKey: TEST_HOST_KEY.replace(/A$/, "B").replace(/P$/, "Q") }), "another host key");
    assert.notEqual(connectionId(a), connectionId({ ...a, user: "ops", sudo: true }), "another user");
    assert.doesNotMatch(connectionId(a), /PRIVATE/);
  });

  it("probes every node, at most `limit` at once, and names an unreachable node with the way out", async () => {
    const cfg = config();
    let running = 0;
    let peak = 0;
    const probe = async (n: NodeSpec): Promise<NodeDrift> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      if (n.name === "wk-2") throw new Error(`node wk-2 (${n.host}:22): connect ECONNREFUSED`);
      return { node: n.name, findings: [], marker: "1" };
    };
    const all = probeAllNodes(cfg, probe, 2);
    assert.deepEqual([...all.keys()], cfg.nodes.map((n) => n.name));
    const results = await Promise.allSettled([...all.values()]);
    assert.equal(peak, 2);
    assert.deepEqual(results.map((r) => r.status), ["fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected"]);
    const reason = (results[4] as PromiseRejectedResult).reason as Error;
    assert.match(reason.message, /^drift check: node wk-2 \(10\.99\.0\.\d+:22\): connect ECONNREFUSED\. .*driftCheck: false/);
  });

  it("tells an SSH port from a closed or foreign one", async () => {
    const listen = (server: net.Server) => new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)));
    const ssh = net.createServer((s) => s.end("SSH-2.0-OpenSSH_9.2\r\n"));
    const http = net.createServer((s) => s.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const closed = net.createServer();
    try {
      await sshBanner("127.0.0.1", await listen(ssh), 2000);
      await assert.rejects(sshBanner("127.0.0.1", await listen(http), 2000), /not with SSH/);
      const port = await listen(closed);
      await new Promise((r) => closed.close(r));
      await assert.rejects(sshBanner("127.0.0.1", port, 2000), /ECONNREFUSED/);
    } finally {
      ssh.close();
      http.close();
    }
  });

  it("says which node cannot be restored and how to let it go", () => {
    const m = unreachableRestoreMessage("wk-2", "10.0.0.24:22", "connect ECONNREFUSED", "urn:pulumi:dev::p::t::wk-2-restore");
    assert.match(m, /^node wk-2 \(10\.0\.0\.24:22\) cannot be reached \(connect ECONNREFUSED\)/);
    assert.match(m, /pulumi state delete 'urn:pulumi:dev::p::t::wk-2-restore'/);
    assert.match(m, /restoreOnDestroy: false/);
  });
});
