// Tests for the k3s node stand-ins in test/standins/bin (systemctl, k3s,
// journalctl, sysctl, curl). Each test gets a fresh state dir and node root.
import assert from "node:assert/strict";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BIN = path.resolve(__dirname, "..", "standins", "bin");

describe("k3s node stand-ins", () => {
    let state: string;
    let root: string;

    beforeEach(() => {
        state = fs.mkdtempSync(path.join(os.tmpdir(), "standin-state-"));
        root = fs.mkdtempSync(path.join(os.tmpdir(), "standin-root-"));
    });

    afterEach(() => {
        fs.rmSync(state, { recursive: true, force: true });
        fs.rmSync(root, { recursive: true, force: true });
    });

    function run(cmd: string, ...args: string[]): SpawnSyncReturns<string> {
        const r = spawnSync(cmd, args, {
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`,
                K3S_STANDIN_STATE: state,
                K3S_HARDEN_ROOT: root,
            },
        });
        if (r.error) throw r.error;
        return r;
    }

    function ok(cmd: string, ...args: string[]): string {
        const r = run(cmd, ...args);
        assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed: ${r.stderr}`);
        return r.stdout;
    }

    function writeNodeFile(rel: string, content: string): void {
        const p = path.join(root, rel);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, content);
    }

    const stateFile = (name: string) => path.join(state, name);
    const readState = (name: string) => fs.readFileSync(stateFile(name), "utf8");

    describe("systemctl", () => {
        it("logs restarts (with or without .service) to restarts.log and the journal", () => {
            ok("systemctl", "restart", "k3s");
            ok("systemctl", "restart", "k3s-agent.service");
            assert.deepEqual(readState("restarts.log").trim().split("\n"), ["k3s", "k3s-agent"]);
            const journal = readState("journal.log").trim().split("\n");
            assert.equal(journal.length, 4);
            assert.match(journal[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* \S+ k3s\[\d+\]: Stopping k3s\.\.\.$/);
            assert.match(journal[1], / k3s\[\d+\]: Started k3s$/);
            assert.match(journal[3], / k3s-agent\[\d+\]: Started k3s-agent$/);
        });

        it("reports is-active from the inactive marker", () => {
            assert.equal(ok("systemctl", "is-active", "k3s"), "active\n");
            assert.equal(ok("systemctl", "is-active", "--quiet", "k3s"), "");
            fs.writeFileSync(stateFile("inactive"), "");
            const r = run("systemctl", "is-active", "k3s");
            assert.notEqual(r.status, 0);
            assert.equal(r.stdout, "inactive\n");
        });

        it("reports unit presence from the units file", () => {
            ok("systemctl", "cat", "k3s-agent");
            ok("systemctl", "daemon-reload");
            fs.writeFileSync(stateFile("units"), "k3s\n");
            assert.match(ok("systemctl", "cat", "k3s.service"), /ExecStart=\/usr\/local\/bin\/k3s server/);
            assert.equal(ok("systemctl", "is-enabled", "k3s"), "enabled\n");
            assert.equal(run("systemctl", "is-enabled", "k3s-agent").status, 1);
            assert.equal(run("systemctl", "cat", "k3s-agent").status, 1);
            assert.match(ok("systemctl", "list-unit-files", "k3s*"), /^k3s\.service\s+enabled/m);
            assert.equal(run("systemctl", "list-unit-files", "k3s-agent*").status, 1);
            const restart = run("systemctl", "restart", "k3s-agent");
            assert.equal(restart.status, 5);
            assert.match(restart.stderr, /Unit k3s-agent\.service not found/);
            assert.equal(run("systemctl", "is-active", "k3s-agent").status, 3);
            ok("systemctl", "restart", "k3s");
            assert.equal(readState("restarts.log"), "k3s\n");
        });

        it("rejects unknown verbs", () => {
            const r = run("systemctl", "frobnicate", "k3s");
            assert.equal(r.status, 1);
            assert.match(r.stderr, /frobnicate/);
        });
    });

    describe("health", () => {
        it("is healthy by default (readyz and kubelet healthz)", () => {
            assert.equal(ok("k3s", "kubectl", "get", "--raw=/readyz").trim(), "ok");
            assert.equal(ok("k3s", "kubectl", "get", "--raw", "/readyz").trim(), "ok");
            assert.equal(ok("curl", "-fsS", "http://127.0.0.1:10248/healthz"), "ok");
        });

        it("fails unconditionally when fail-health exists and logs a fatal line", () => {
            fs.writeFileSync(stateFile("fail-health"), "");
            const r = run("k3s", "kubectl", "get", "--raw=/readyz");
            assert.equal(r.status, 1);
            assert.match(r.stderr, /The connection to the server 127\.0\.0\.1:6443 was refused/);
            const c = run("curl", "-fsS", "http://localhost:10248/healthz");
            assert.equal(c.status, 7);
            assert.match(c.stderr, /curl: \(7\) Failed to connect/);
            const journal = readState("journal.log");
            assert.match(journal, / k3s\[\d+\]: time="[^"]+" level=fatal msg="apiserver exited: standin health failure/);
            assert.match(journal, / k3s-agent\[\d+\]: time="[^"]+" level=fatal msg="kubelet exited: /);
        });

        it("fails only while config.yaml contains the marker, so a rollback heals it", () => {
            fs.writeFileSync(stateFile("fail-health-if-config-contains"), "bad-flag: true\nignored second line\n");
            writeNodeFile("etc/rancher/k3s/config.yaml", "protect-kernel-defaults: true\n");
            assert.equal(run("k3s", "kubectl", "get", "--raw=/readyz").status, 0);

            writeNodeFile("etc/rancher/k3s/config.yaml", "protect-kernel-defaults: true\nbad-flag: true\n");
            assert.equal(run("k3s", "kubectl", "get", "--raw=/readyz").status, 1);
            assert.equal(run("curl", "-s", "http://127.0.0.1:10248/healthz").status, 7);

            writeNodeFile("etc/rancher/k3s/config.yaml", "protect-kernel-defaults: true\n");
            assert.equal(run("k3s", "kubectl", "get", "--raw=/readyz").status, 0);
            assert.equal(run("curl", "-s", "http://127.0.0.1:10248/healthz").status, 0);
        });

        it("records other k3s invocations and exits 0 silently", () => {
            const r = run("k3s", "check-config");
            assert.equal(r.status, 0);
            assert.equal(r.stdout, "");
            assert.equal(readState("k3s-calls.log"), "check-config\n");
        });
    });

    describe("journalctl", () => {
        beforeEach(() => {
            const lines: string[] = [];
            for (let i = 1; i <= 15; i++) {
                const unit = i % 3 === 0 ? "k3s-agent" : "k3s";
                lines.push(`2025-01-01T00:00:${String(i).padStart(2, "0")}+0000 node ${unit}[42]: message ${i}`);
            }
            fs.writeFileSync(stateFile("journal.log"), lines.join("\n") + "\n");
        });

        it("prints the last 10 lines by default and honours -n / --lines", () => {
            const all = ok("journalctl", "--no-pager").trim().split("\n");
            assert.equal(all.length, 10);
            assert.match(all[9], /message 15$/);
            assert.equal(ok("journalctl", "-n", "2").trim().split("\n").length, 2);
            assert.equal(ok("journalctl", "--lines=3", "--no-pager").trim().split("\n").length, 3);
        });

        it("filters by -u (with or without .service, repeatable) and supports -o cat", () => {
            const agent = ok("journalctl", "-u", "k3s-agent.service", "-n", "100", "-o", "cat", "-q");
            assert.equal(agent, "message 3\nmessage 6\nmessage 9\nmessage 12\nmessage 15\n");
            const server = ok("journalctl", "-u", "k3s", "-n", "2", "--no-pager").trim().split("\n");
            assert.equal(server.length, 2);
            assert.match(server[0], / k3s\[42\]: message 13$/);
            assert.match(server[1], / k3s\[42\]: message 14$/);
            const both = ok("journalctl", "-u", "k3s", "-u", "k3s-agent", "-n", "100", "-o", "cat");
            assert.equal(both.trim().split("\n").length, 15);
        });
    });

    describe("sysctl", () => {
        it("loads files with -p, stores values and reads them back with -n", () => {
            writeNodeFile(
                "etc/sysctl.d/90-kubelet.conf",
                "# kubelet protect-kernel-defaults\n\nvm.panic_on_oom=0\nvm.overcommit_memory = 1\nkernel.panic = 10\n",
            );
            const out = ok("sysctl", "-p", path.join(root, "etc/sysctl.d/90-kubelet.conf"));
            assert.equal(out, "vm.panic_on_oom = 0\nvm.overcommit_memory = 1\nkernel.panic = 10\n");
            assert.equal(readState("sysctl/vm.overcommit_memory"), "1\n");
            assert.equal(ok("sysctl", "-n", "kernel.panic"), "10\n");
            assert.equal(ok("sysctl", "kernel.panic"), "kernel.panic = 10\n");
            // paths are also resolved inside K3S_HARDEN_ROOT
            ok("sysctl", "--load=/etc/sysctl.d/90-kubelet.conf");
        });

        it("returns defaults for known keys and 255 for unknown ones", () => {
            assert.equal(ok("sysctl", "-n", "kernel.panic_on_oops"), "0\n");
            const r = run("sysctl", "-n", "net.bogus.key");
            assert.equal(r.status, 255);
            assert.match(r.stderr, /cannot stat \/proc\/sys\/net\/bogus\/key/);
            ok("sysctl", "-w", "net.bogus.key=5");
            assert.equal(ok("sysctl", "-n", "net.bogus.key"), "5\n");
        });

        it("applies --system from the node's /etc/sysctl.d in order", () => {
            writeNodeFile("etc/sysctl.d/10-a.conf", "kernel.panic = 1\n");
            writeNodeFile("etc/sysctl.d/90-b.conf", "kernel.panic = 10\n");
            ok("sysctl", "--system");
            assert.equal(ok("sysctl", "-n", "kernel.panic"), "10\n");
        });

        it("fails with permission denied when sysctl-readonly exists", () => {
            fs.writeFileSync(stateFile("sysctl-readonly"), "");
            writeNodeFile("etc/sysctl.d/90-kubelet.conf", "vm.panic_on_oom = 0\n");
            const p = run("sysctl", "-p", path.join(root, "etc/sysctl.d/90-kubelet.conf"));
            assert.equal(p.status, 255);
            assert.match(p.stderr, /sysctl: permission denied on key "vm\.panic_on_oom"/);
            const w = run("sysctl", "-w", "kernel.panic=10");
            assert.equal(w.status, 255);
            assert.match(w.stderr, /permission denied on key "kernel\.panic"/);
            assert.equal(ok("sysctl", "-n", "kernel.panic"), "0\n");
        });
    });

    describe("curl passthrough", () => {
        it("execs the real curl for other URLs", () => {
            assert.match(ok("curl", "--version"), /^curl \d/);
            const r = run("curl", "-sS", "--max-time", "2", "http://127.0.0.1:1/");
            assert.equal(r.status, 7);
        });
    });
});
