/**
 * A temporary node root for running the generated scripts with real bash and the stand-in k3s,
 * systemctl, sysctl and journalctl from test/standins.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const STANDINS = path.resolve(__dirname, "../../standins/bin");

export interface StandinNode {
  /** The node's filesystem root (K3S_HARDEN_ROOT). */
  root: string;
  /** The stand-ins' state: restarts.log, sysctl values, fault switches. */
  state: string;
  env: NodeJS.ProcessEnv;
}

/** Every node folder made by this process: removed when it exits, so test runs leave nothing in the temp folder. */
const created: string[] = [];
process.on("exit", () => {
  for (const d of created) fs.rmSync(d, { recursive: true, force: true });
});

export function newStandinNode(): StandinNode {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k3sh-node-"));
  created.push(dir);
  const root = path.join(dir, "root");
  const state = path.join(dir, "state");
  fs.mkdirSync(root);
  fs.mkdirSync(state);
  return { root, state, env: { ...process.env, PATH: `${STANDINS}:${process.env.PATH}`, K3S_HARDEN_ROOT: root, K3S_STANDIN_STATE: state } };
}

/** Run a script through `bash -s -- args` on the node. */
export function runOnNode(node: StandinNode, text: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-s", "--", ...args], { input: text, env: node.env, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Units restarted so far, in order. */
export function restartsOn(node: StandinNode): string[] {
  const f = path.join(node.state, "restarts.log");
  return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean) : [];
}
