/**
 * The program's resource graph under Pulumi mocks: what is registered, in which order, what is secret.
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { config, rawConfig, TEST_HOST_KEY, TEST_PRIVATE_KEY } from "../helpers";
import { validateStackConfig } from "../../../components/config/validate";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

let registered: Registered[] = [];
/** URN dependencies per resource name, captured from the register requests (MockResourceArgs lacks them). */
const dependencies = new Map<string, string[]>();

// eslint-disable-next-line @typescript-eslint/no-var-requires
const mocksModule = require("@pulumi/pulumi/runtime/mocks") as {
  MockMonitor: { prototype: { registerResource(req: RegisterRequest, cb: unknown): Promise<void> } };
};
interface RegisterRequest {
  getName(): string;
  getDependenciesList(): string[];
}
const originalRegister = mocksModule.MockMonitor.prototype.registerResource;
mocksModule.MockMonitor.prototype.registerResource = function (this: unknown, req: RegisterRequest, cb: unknown) {
  dependencies.set(req.getName(), req.getDependenciesList());
  return originalRegister.call(this, req, cb);
};

pulumi.runtime.setMocks(
  {
    newResource(args: pulumi.runtime.MockResourceArgs) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: { ...args.inputs, stdout: "", stderr: "" } };
    },
    call(args: pulumi.runtime.MockCallArgs) {
      return args.inputs;
    },
  },
  "k3s-hardening",
  "test",
  false,
);

// Imported after setMocks so resources register against the mock monitor.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createHardenedCluster } = require("../../../components/cluster") as typeof import("../../../components/cluster");

function outputValue<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function isSecretOutput<T>(o: pulumi.Output<T>): Promise<boolean> {
  return pulumi.isSecret(o);
}

describe("program under mocks", () => {
  beforeEach(() => {
    registered = [];
  });

  it("registers one hardening component, one apply and one restore command per node", async () => {
    const cluster = createHardenedCluster(config());
    await outputValue(cluster.nodes[4].restore.id);
    const components = registered.filter((r) => r.type === "k3s-cis:node:NodeHardening");
    assert.equal(registered.filter((r) => r.type === "k3s-cis:index:ClusterHardening").length, 1);
    const commands = registered.filter((r) => r.type === "command:remote:Command").map((c) => c.name);
    assert.equal(components.length, 5);
    const names = ["cp-1", "cp-2", "cp-3", "wk-1", "wk-2"];
    assert.deepEqual(commands.sort(), [...names.map((n) => `${n}-apply`), ...names.map((n) => `${n}-restore`)].sort());
  });

  it("opens no SSH session on delete unless the node is to be restored: no delete command otherwise", async () => {
    const cfg = config({}, [
      { name: "cp-1", host: "10.99.0.1", role: "server", hostKey: TEST_HOST_KEY },
      { name: "wk-1", host: "10.99.0.2", role: "agent", hostKey: TEST_HOST_KEY, restoreOnDestroy: true },
    ]);
    const cluster = createHardenedCluster(cfg);
    await Promise.all(cluster.nodes.map((n) => outputValue(n.restore.id)));
    const inputs = (name: string) => registered.find((r) => r.name === name)!.inputs;
    for (const n of ["cp-1", "wk-1"]) {
      assert.equal(inputs(`${n}-apply`).delete, undefined, `${n}-apply has no delete`);
      assert.equal(inputs(`${n}-restore`).create, undefined, `${n}-restore never runs on create or update`);
      assert.equal(inputs(`${n}-restore`).update, undefined);
    }
    assert.equal(inputs("cp-1-restore").delete, undefined, "restoreOnDestroy false: nothing to run on delete");
    assert.match(String(inputs("wk-1-restore").delete), /base64 -d/, "per-node restoreOnDestroy: the restore script");
    assert.ok(dependencies.get("wk-1-restore")!.some((u) => u.endsWith("::wk-1-apply")), "the restore runs after its node's apply");
  });

  it("puts the drift probe's sync marker into the apply command, and nothing when the check is off", async () => {
    const cfg = config({}, [
      { name: "cp-1", host: "10.99.0.1", role: "server", hostKey: TEST_HOST_KEY },
      { name: "wk-1", host: "10.99.0.2", role: "agent", hostKey: TEST_HOST_KEY, user: "ops" },
    ]);
    const markers: Record<string, string> = { "cp-1": "3", "wk-1": "12" };
    const probeAll = (c: typeof cfg) => new Map(c.nodes.map((n) => [n.name, Promise.resolve({ node: n.name, findings: [], marker: markers[n.name] })]));
    const cluster = createHardenedCluster(cfg, { probeAll });
    assert.equal(await outputValue(cluster.nodes[0].command.create as pulumi.Output<string>), "/bin/bash -s -- 3");
    assert.equal(await outputValue(cluster.nodes[1].command.create as pulumi.Output<string>), "sudo -n /bin/bash -s -- 12");
    const off = createHardenedCluster({ ...cfg, driftCheck: false }, { probeAll });
    assert.equal(await outputValue(off.nodes[0].command.create as pulumi.Output<string>), "/bin/bash -s");
  });

  it("orders servers strictly one at a time, then agents in batches", async () => {
    const cfg = config({ rollout: { agentBatchSize: 2 } }, [
      { name: "cp-1", host: "10.99.0.1", role: "server", hostKey: TEST_HOST_KEY },
      { name: "cp-2", host: "10.99.0.2", role: "server", hostKey: TEST_HOST_KEY },
      { name: "wk-1", host: "10.99.0.3", role: "agent", hostKey: TEST_HOST_KEY },
      { name: "wk-2", host: "10.99.0.4", role: "agent", hostKey: TEST_HOST_KEY },
      { name: "wk-3", host: "10.99.0.5", role: "agent", hostKey: TEST_HOST_KEY },
    ]);
    const { planRollout } = await import("../../../components/node/rollout");
    const plan = planRollout(cfg.nodes, cfg.rollout.agentBatchSize).map((s) => [s.node.name, s.after]);
    assert.deepEqual(plan, [
      ["cp-1", []],
      ["cp-2", ["cp-1"]],
      ["wk-1", ["cp-2"]],
      ["wk-2", ["cp-2"]],
      ["wk-3", ["wk-1", "wk-2"]],
    ]);
    // The same order reaches the engine as dependsOn on the previous nodes' commands.
    const cluster = createHardenedCluster(cfg);
    await Promise.all(cluster.nodes.map((n) => outputValue(n.command.id)));
    const depNames = (name: string) =>
      (dependencies.get(`${name}-apply`) ?? [])
        .map((urn) => urn.split("::").pop()!)
        .filter((n) => n.endsWith("-apply"))
        .sort();
    assert.deepEqual(depNames("cp-1"), []);
    assert.deepEqual(depNames("cp-2"), ["cp-1-apply"]);
    assert.deepEqual(depNames("wk-1"), ["cp-2-apply"]);
    assert.deepEqual(depNames("wk-2"), ["cp-2-apply"]);
    assert.deepEqual(depNames("wk-3"), ["wk-1-apply", "wk-2-apply"]);
  });

  it("marks the SSH connection secret and keeps the private key out of plain inputs", async () => {
    const cluster = createHardenedCluster(config());
    const cmd = cluster.nodes[0].command;
    assert.equal(await isSecretOutput(cmd.connection), true);
    await outputValue(cmd.id);
    const inputs = registered.find((r) => r.name === "cp-1-apply")!.inputs;
    assert.ok(!JSON.stringify(inputs.create).includes("PRIVATE KEY"));
    assert.equal(inputs.delete, undefined);
    assert.ok(!JSON.stringify(inputs.stdin ?? "").includes(TEST_PRIVATE_KEY));
  });

  it("feeds file contents through stdin, never the command string; stdin is secret when it carries the token", async () => {
    const plain = createHardenedCluster(config());
    assert.equal(await isSecretOutput(plain.nodes[0].command.stdin as pulumi.Output<string>), false);
    assert.equal(await outputValue(plain.nodes[0].command.create as pulumi.Output<string>), "/bin/bash -s");
    const withToken = createHardenedCluster(config({ k3sToken: "K10-token-value" }));
    assert.equal(await isSecretOutput(withToken.nodes[0].command.stdin as pulumi.Output<string>), true);
    // A node's credential setting (here the etcd S3 secret key) makes its stdin secret too, and stays
    // out of the component's plain outputs.
    const raw = rawConfig({}, [{ name: "cp-1", host: "10.99.0.1", role: "server", hostKey: TEST_HOST_KEY, k3sSettings: { "etcd-s3-secret-key": "S3-SECRET-KEY-VALUE" } }]);
    raw.secretKeys = new Set([...raw.secretKeys, "nodes"]);
    const withS3 = createHardenedCluster(validateStackConfig(raw));
    assert.equal(await isSecretOutput(withS3.nodes[0].command.stdin as pulumi.Output<string>), true);
    assert.ok(!JSON.stringify(withS3.nodes[0].summary).includes("S3-SECRET-KEY-VALUE"));
  });

  it("uses sudo -n for a non-root user", async () => {
    const cluster = createHardenedCluster(config({ restoreOnDestroy: true }, [{ name: "cp-1", host: "10.99.0.1", role: "server", user: "ops", hostKey: TEST_HOST_KEY }]));
    assert.equal(await outputValue(cluster.nodes[0].command.create as pulumi.Output<string>), "sudo -n /bin/bash -s");
    assert.match(await outputValue(cluster.nodes[0].restore.delete as pulumi.Output<string>), /^sudo -n /);
  });

  it("passes the host key for verification", async () => {
    const cluster = createHardenedCluster(config());
    await outputValue(cluster.nodes[0].command.id);
    // Secret inputs reach the mock wrapped in Pulumi's secret envelope.
    const raw = registered.find((r) => r.name === "cp-1-apply")!.inputs.connection as { value?: { hostKey?: string } };
    const conn = raw.value ?? (raw as { hostKey?: string });
    assert.equal(conn.hostKey, TEST_HOST_KEY);
  });

  it("changes only the node whose files change", async () => {
    const a = createHardenedCluster(config());
    const b = createHardenedCluster(config({}, undefined));
    const stdinA = await Promise.all(a.nodes.map((n) => outputValue(n.command.stdin as pulumi.Output<string>)));
    const stdinB = await Promise.all(b.nodes.map((n) => outputValue(n.command.stdin as pulumi.Output<string>)));
    assert.deepEqual(stdinA, stdinB, "same config, same scripts: a second up has nothing to do");
    const c = createHardenedCluster(
      config({}, [
        { name: "cp-1", host: "10.99.0.11", role: "server", hostKey: TEST_HOST_KEY },
        { name: "cp-2", host: "10.99.0.12", role: "server", hostKey: TEST_HOST_KEY, k3sSettings: { "node-label": ["zone=b"] } },
        { name: "cp-3", host: "10.99.0.13", role: "server", hostKey: TEST_HOST_KEY },
        { name: "wk-1", host: "10.99.0.21", role: "agent", hostKey: TEST_HOST_KEY },
        { name: "wk-2", host: "10.99.0.22", role: "agent", hostKey: TEST_HOST_KEY },
      ]),
    );
    const stdinC = await Promise.all(c.nodes.map((n) => outputValue(n.command.stdin as pulumi.Output<string>)));
    assert.deepEqual(
      stdinC.map((s, i) => s !== stdinA[i]),
      [false, true, false, false, false],
    );
  });

  it("registers the rendered config as component outputs, with the token masked", async () => {
    const cluster = createHardenedCluster(config({ k3sToken: "K10-token-value" }));
    const doc = cluster.nodes[0].summary.k3sConfig;
    assert.equal(doc.token, "<secret: set by pulumi up from stack config>");
    assert.deepEqual(cluster.nodes[0].summary.files, [
      "/var/lib/rancher/k3s/server/audit.yaml",
      "/var/lib/rancher/k3s/server/psa.yaml",
      "/etc/sysctl.d/90-kubelet.conf",
      "/etc/rancher/k3s/config.yaml",
    ]);
  });
});

describe("program entry (index.ts) with bad configuration", () => {
  it("stops before registering any resource, naming the key and the fix", async () => {
    registered = [];
    const project = "k3s-hardening";
    pulumi.runtime.setAllConfig(
      {
        [`${project}:nodes`]: JSON.stringify([{ name: "cp-1", host: "10.0.0", role: "master", hostKey: TEST_HOST_KEY }]),
        [`${project}:sshPrivateKey`]: TEST_PRIVATE_KEY,
      },
      [`${project}:sshPrivateKey`],
    );
    assert.throws(
      () => {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        require("../../../index");
      },
      (e: Error) => /nodes\[0\]\.host: "10\.0\.0" is not a valid address/.test(e.message) && /nodes\[0\]\.role: must be one of server, agent/.test(e.message),
    );
    assert.equal(registered.length, 0);
  });
});
