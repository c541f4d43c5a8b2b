#!/usr/bin/env node
// The stand-in k3s server service of a test node: starts the REAL control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, built by scripts/build-control-plane.sh) from the node's own
// /etc/rancher/k3s/config.yaml, the way k3s does: its default flags, replaced flag by flag by the
// `name=value` entries of kube-apiserver-arg, kube-controller-manager-arg, kube-scheduler-arg and
// etcd-arg, each flag passed once. What k3s itself does around them (certificates, kubeconfigs, the
// supervisor port 6443, the "Running ..." journal lines) is done here, as k3s lays it out.
//
// Used only when $K3S_STANDIN_STATE/control-plane.json exists (written by test/e2e/harness/nodes.sh).
//   _k3s_server.js start|stop|status     (called by the systemctl stand-in for unit k3s)
//   _k3s_server.js proxy <listen host> <port> <target port>   (the supervisor port; internal)
// Plain JavaScript (no ts-node): it runs on every restart of a server test node.
"use strict";
const cp = require("node:child_process");
const fs = require("node:fs");
const https = require("node:https");
const net = require("node:net");
const path = require("node:path");

const STATE = process.env.K3S_STANDIN_STATE || "/var/lib/k3s-standin";
const SETTINGS_FILE = path.join(STATE, "control-plane.json");
const RUN = path.join(STATE, "control-plane");
const PIDS = path.join(RUN, "pids.json");

// Paths as k3s lays them out (data dir /var/lib/rancher/k3s).
const DATA = "/var/lib/rancher/k3s/server";
const TLS = `${DATA}/tls`;
const CRED = `${DATA}/cred`;
const CONFIG = "/etc/rancher/k3s/config.yaml";
const CONFIG_DIR = "/etc/rancher/k3s/config.yaml.d";
const ADMIN_KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";
const ETCD_CONFIG = `${DATA}/db/etcd/config`;
const SUPERVISOR_PORT = 6443;
const APISERVER_PORT = 6444;
const CLUSTER_DNS_NAMES = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"];
const SERVICE_IP = "10.43.0.1";

/**
 * Flags k3s puts on its journal line that upstream components do not know (k3s runs a patched
 * Kubernetes): shown in the "Running ..." line like k3s does, never passed to the upstream binary.
 */
const K3S_ONLY_FLAGS = { apiserver: ["advertise-port"], controllerManager: [], scheduler: [] };

/**
 * What k3s adds that components/k3s/facts.ts leaves out (node-specific values and files kube-bench does
 * not check). The upstream 1.36 controller-manager knows no service/route/cloud-node-lifecycle
 * controllers any more, so the k3s controller list is trimmed to what it knows.
 */
function standInArgs(node) {
  return {
    apiserver: { "advertise-address": node.ip, "cert-dir": `${TLS}/temporary-certs` },
    controllerManager: {
      "cluster-signing-kube-apiserver-client-key-file": `${TLS}/client-ca.key`,
      "cluster-signing-kubelet-client-cert-file": `${TLS}/client-ca.nochain.crt`,
      "cluster-signing-kubelet-client-key-file": `${TLS}/client-ca.key`,
      "cluster-signing-kubelet-serving-cert-file": `${TLS}/server-ca.nochain.crt`,
      "cluster-signing-kubelet-serving-key-file": `${TLS}/server-ca.key`,
      "cluster-signing-legacy-unknown-cert-file": `${TLS}/server-ca.nochain.crt`,
      "cluster-signing-legacy-unknown-key-file": `${TLS}/server-ca.key`,
      controllers: "*,tokencleaner",
      "leader-elect": "true",
    },
    scheduler: { "leader-elect": "true" },
  };
}

const CONFIG_ARG_KEYS = { apiserver: "kube-apiserver-arg", controllerManager: "kube-controller-manager-arg", scheduler: "kube-scheduler-arg", etcd: "etcd-arg" };
const BINARIES = { apiserver: "kube-apiserver", controllerManager: "kube-controller-manager", scheduler: "kube-scheduler" };
const HEALTH = { controllerManager: 10257, scheduler: 10259 };
/** How long a start may take before it fails (etcd, apiserver ready, then the two controllers healthy). */
const START_TIMEOUT_MS = 120_000;

// ------------------------------------------------------------------------------------------------ util

function settings() {
  return JSON.parse(fs.readFileSync(SETTINGS_FILE, "utf8"));
}

function hostname() {
  try {
    return fs.readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
  } catch {
    return "localhost";
  }
}

/** Appends journal lines for unit k3s, in the format of the other stand-ins. */
function journal(...lines) {
  fs.mkdirSync(STATE, { recursive: true });
  const now = new Date();
  const off = -now.getTimezoneOffset();
  const tz = `${off >= 0 ? "+" : "-"}${String(Math.floor(Math.abs(off) / 60)).padStart(2, "0")}${String(Math.abs(off) % 60).padStart(2, "0")}`;
  const local = new Date(now.getTime() + off * 60000).toISOString().replace("Z", "").replace(/\.(\d{3})$/, ".$1000000");
  const prefix = `${local}${tz} ${hostname()} k3s[${process.pid}]: `;
  fs.appendFileSync(path.join(STATE, "journal.log"), lines.map((l) => `${prefix}${l}\n`).join(""));
}

function k3sLog(level, msg) {
  journal(`time="${new Date().toISOString().replace(/\.\d+Z$/, "Z")}" level=${level} msg=${JSON.stringify(msg)}`);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function alive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

function readPids() {
  try {
    return JSON.parse(fs.readFileSync(PIDS, "utf8"));
  } catch {
    return {};
  }
}

function writePids(p) {
  fs.mkdirSync(RUN, { recursive: true });
  fs.writeFileSync(`${PIDS}.tmp`, JSON.stringify(p));
  fs.renameSync(`${PIDS}.tmp`, PIDS);
}

/** The last lines of a component's log. */
function tail(file, n) {
  try {
    return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).slice(-n);
  } catch {
    return [];
  }
}

// ----------------------------------------------------------------------------------------- k3s config

/**
 * config.yaml, then the drop-ins of config.yaml.d in lexical order (a later key replaces an earlier
 * one). Throws with k3s's kind of message when a file does not parse.
 */
function readK3sConfig(yaml) {
  const files = [];
  if (fs.existsSync(CONFIG)) files.push(CONFIG);
  if (fs.existsSync(CONFIG_DIR)) {
    for (const f of fs.readdirSync(CONFIG_DIR).sort()) if (/\.ya?ml$/.test(f)) files.push(path.join(CONFIG_DIR, f));
  }
  const merged = {};
  for (const f of files) {
    let doc;
    try {
      doc = yaml.parse(fs.readFileSync(f, "utf8"));
    } catch (e) {
      throw new Error(`failed to parse ${f}: ${e.message.split("\n")[0]}`);
    }
    if (doc == null) continue;
    if (typeof doc !== "object" || Array.isArray(doc)) throw new Error(`failed to parse ${f}: not a map of settings`);
    Object.assign(merged, doc);
  }
  return merged;
}

/** `name=value` entries of a config list; k3s splits at the first "=". */
function argEntries(list, key) {
  if (list === undefined || list === null) return [];
  const items = Array.isArray(list) ? list : [list];
  return items.map((item) => {
    const s = String(item);
    const i = s.indexOf("=");
    if (i <= 0) throw new Error(`${key}: "${s}" is not of the form name=value`);
    return [s.slice(0, i).replace(/^-+/, ""), s.slice(i + 1)];
  });
}

/** k3s's defaults, then what the stand-in adds, then the config's entries; each flag once. */
function mergedArgs(defaults, added, entries) {
  const m = new Map(Object.entries(defaults));
  for (const [k, v] of Object.entries(added)) m.set(k, v);
  for (const [k, v] of entries) m.set(k, v);
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

const flagList = (pairs) => pairs.map(([k, v]) => `--${k}=${v}`);

// ----------------------------------------------------------------------------------------------- PKI

function openssl(args, input) {
  const r = cp.spawnSync("openssl", args, { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${(r.stderr || "").trim()}`);
  return r.stdout;
}

function writeFile(p, content, mode = 0o600) {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(`${p}.tmp`, content, { mode });
  fs.chmodSync(`${p}.tmp`, mode);
  fs.renameSync(`${p}.tmp`, p);
}

function ecKey(p) {
  if (!fs.existsSync(p)) writeFile(p, openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]));
}

function ca(base, cn) {
  if (fs.existsSync(`${base}.crt`)) return;
  ecKey(`${base}.key`);
  writeFile(`${base}.crt`, openssl(["req", "-x509", "-new", "-key", `${base}.key`, "-subj", `/CN=${cn}`, "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"]), 0o644);
}

/** A leaf certificate signed by `caBase`; regenerated when its subject or SANs change. */
function leaf(base, caBase, subject, { sans = [], usage = "clientAuth" } = {}) {
  const want = JSON.stringify({ subject, sans, usage });
  const marker = `${base}.spec`;
  if (fs.existsSync(`${base}.crt`) && fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === want) return;
  ecKey(`${base}.key`);
  const csr = openssl(["req", "-new", "-key", `${base}.key`, "-subj", subject]);
  const ext = [`basicConstraints=critical,CA:FALSE`, `keyUsage=critical,digitalSignature,keyEncipherment`, `extendedKeyUsage=${usage}`];
  if (sans.length) ext.push(`subjectAltName=${sans.join(",")}`);
  const extFile = path.join(RUN, "ext.cnf");
  fs.mkdirSync(RUN, { recursive: true });
  fs.writeFileSync(extFile, ext.join("\n") + "\n");
  const crt = openssl(["x509", "-req", "-CA", `${caBase}.crt`, "-CAkey", `${caBase}.key`, "-CAcreateserial", "-days", "3650", "-extfile", extFile], csr);
  writeFile(`${base}.crt`, crt, 0o644);
  writeFile(marker, want);
}

function kubeconfig(p, server, certBase, mode = 0o600) {
  const b64 = (f) => fs.readFileSync(f).toString("base64");
  writeFile(
    p,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- cluster:",
      `    certificate-authority-data: ${b64(`${TLS}/server-ca.crt`)}`,
      `    server: ${server}`,
      "  name: default",
      "contexts:",
      "- context:",
      "    cluster: default",
      "    user: default",
      "  name: default",
      "current-context: default",
      "users:",
      "- name: default",
      "  user:",
      `    client-certificate-data: ${b64(`${certBase}.crt`)}`,
      `    client-key-data: ${b64(`${certBase}.key`)}`,
      "",
    ].join("\n"),
    mode,
  );
}

/** Certificates, keys and kubeconfigs under k3s's names (created once; serving SANs follow the config). */
function ensurePki(node, cfg) {
  ca(`${TLS}/server-ca`, "k3s-server-ca");
  ca(`${TLS}/client-ca`, "k3s-client-ca");
  ca(`${TLS}/request-header-ca`, "k3s-request-header-ca");
  ca(`${TLS}/etcd/server-ca`, "etcd-server-ca");
  ca(`${TLS}/etcd/peer-ca`, "etcd-peer-ca");
  for (const c of ["server-ca", "client-ca"]) fs.copyFileSync(`${TLS}/${c}.crt`, `${TLS}/${c}.nochain.crt`);
  const tlsSans = [].concat(cfg["tls-san"] || []).map(String);
  const sans = [...CLUSTER_DNS_NAMES, ...tlsSans.filter((s) => !net.isIP(s)), node.name].map((d) => `DNS:${d}`);
  const ips = ["127.0.0.1", SERVICE_IP, node.ip, ...tlsSans.filter((s) => net.isIP(s))];
  sans.push(...[...new Set(ips)].map((i) => `IP:${i}`));
  leaf(`${TLS}/serving-kube-apiserver`, `${TLS}/server-ca`, "/CN=kube-apiserver", { sans, usage: "serverAuth" });
  leaf(`${TLS}/client-admin`, `${TLS}/client-ca`, "/O=system:masters/CN=system:admin");
  leaf(`${TLS}/client-controller`, `${TLS}/client-ca`, "/CN=system:kube-controller-manager");
  leaf(`${TLS}/client-scheduler`, `${TLS}/client-ca`, "/CN=system:kube-scheduler");
  leaf(`${TLS}/client-kube-apiserver`, `${TLS}/client-ca`, "/CN=system:apiserver");
  leaf(`${TLS}/client-auth-proxy`, `${TLS}/request-header-ca`, "/CN=system:auth-proxy");
  const etcdSans = ["DNS:localhost", "IP:127.0.0.1", `IP:${node.ip}`];
  leaf(`${TLS}/etcd/server-client`, `${TLS}/etcd/server-ca`, "/CN=etcd-server", { sans: etcdSans, usage: "serverAuth,clientAuth" });
  leaf(`${TLS}/etcd/peer-server-client`, `${TLS}/etcd/peer-ca`, "/CN=etcd-peer", { sans: etcdSans, usage: "serverAuth,clientAuth" });
  leaf(`${TLS}/etcd/client`, `${TLS}/etcd/server-ca`, "/CN=etcd-client");
  if (!fs.existsSync(`${TLS}/service.key`)) {
    const key = openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]);
    writeFile(`${TLS}/service.key`, key);
    writeFile(`${TLS}/service.current.key`, key);
  }
  const local = `https://127.0.0.1:${APISERVER_PORT}`;
  kubeconfig(`${CRED}/admin.kubeconfig`, local, `${TLS}/client-admin`);
  kubeconfig(`${CRED}/controller.kubeconfig`, local, `${TLS}/client-controller`);
  kubeconfig(`${CRED}/scheduler.kubeconfig`, local, `${TLS}/client-scheduler`);
  const mode = cfg["write-kubeconfig-mode"] !== undefined ? parseInt(String(cfg["write-kubeconfig-mode"]), 8) : 0o600;
  kubeconfig(ADMIN_KUBECONFIG, `https://127.0.0.1:${SUPERVISOR_PORT}`, `${TLS}/client-admin`, mode);
  // k3s talks to agents through its own tunnel; without agents a direct egress is the same.
  writeFile(
    `${DATA}/etc/egress-selector-config.yaml`,
    "apiVersion: apiserver.k8s.io/v1beta1\nkind: EgressSelectorConfiguration\negressSelections:\n- name: cluster\n  connection:\n    proxyProtocol: Direct\n",
  );
  if (cfg["secrets-encryption"] === true || cfg["secrets-encryption"] === "true") {
    const f = `${CRED}/encryption-config.json`;
    if (!fs.existsSync(f)) {
      const secret = require("node:crypto").randomBytes(32).toString("base64");
      const conf = {
        kind: "EncryptionConfiguration",
        apiVersion: "apiserver.config.k8s.io/v1",
        resources: [{ resources: ["secrets"], providers: [{ aescbc: { keys: [{ name: "aescbckey", secret }] } }, { identity: {} }] }],
      };
      writeFile(f, JSON.stringify(conf));
    }
  }
}

// ---------------------------------------------------------------------------------------------- etcd

/** k3s writes its embedded etcd's settings as this YAML file; etcd-arg entries replace its keys. */
function etcdConfig(node, entries) {
  const ip = node.ip;
  const conf = {
    "advertise-client-urls": `https://${ip}:2379`,
    "client-transport-security": { "cert-file": `${TLS}/etcd/server-client.crt`, "client-cert-auth": true, "key-file": `${TLS}/etcd/server-client.key`, "trusted-ca-file": `${TLS}/etcd/server-ca.crt` },
    "data-dir": `${DATA}/db/etcd`,
    "election-timeout": 5000,
    "heartbeat-interval": 500,
    "initial-advertise-peer-urls": `https://${ip}:2380`,
    "initial-cluster": `${node.name}=https://${ip}:2380`,
    "initial-cluster-state": "new",
    "listen-client-urls": `https://127.0.0.1:2379,https://${ip}:2379`,
    "listen-metrics-urls": "http://127.0.0.1:2381",
    "listen-peer-urls": `https://127.0.0.1:2380,https://${ip}:2380`,
    "log-level": "warn",
    name: node.name,
    "peer-transport-security": { "cert-file": `${TLS}/etcd/peer-server-client.crt`, "client-cert-auth": true, "key-file": `${TLS}/etcd/peer-server-client.key`, "trusted-ca-file": `${TLS}/etcd/peer-ca.crt` },
    "snapshot-count": 10000,
  };
  for (const [k, v] of entries) {
    const sec = /^peer-(cert-file|key-file|trusted-ca-file|client-cert-auth)$/.exec(k) ? "peer-transport-security" : /^(cert-file|key-file|trusted-ca-file|client-cert-auth)$/.test(k) ? "client-transport-security" : undefined;
    const val = v === "true" ? true : v === "false" ? false : v;
    if (sec) conf[sec][k.replace(/^peer-/, "")] = val;
    else conf[k] = val;
  }
  return conf;
}

// --------------------------------------------------------------------------------------- processes

/** How each process started by this run ended ("exit status 1", "signal SIGKILL"), by pid. */
const exits = new Map();

function spawnDetached(bin, args, logFile) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, "a");
  const child = cp.spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  child.on("exit", (code, signal) => exits.set(child.pid, signal ? `signal ${signal}` : `exit status ${code}`));
  child.unref();
  return child.pid;
}

/** GET over HTTPS; resolves to [status, body] or rejects on connection errors. */
function httpsGet(port, p, auth) {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: "127.0.0.1", port, path: p, timeout: 3000, rejectUnauthorized: false, ...(auth ? { cert: fs.readFileSync(`${auth}.crt`), key: fs.readFileSync(`${auth}.key`) } : {}) },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d)).on("end", () => resolve([res.statusCode, body]));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Waits until `check` passes (true), one of the processes exits (false) or the deadline passes (false). */
async function waitFor(pids, check, deadline) {
  while (Date.now() < deadline) {
    if (![].concat(pids).every(alive)) return false;
    try {
      if (await check()) return true;
    } catch {
      /* not answering yet */
    }
    await sleep(250);
  }
  return false;
}

async function stopAll() {
  const pids = readPids();
  const order = ["scheduler", "controllerManager", "apiserver", "etcd", "proxy"];
  for (const name of order) {
    const pid = pids[name];
    if (!pid || !alive(pid)) continue;
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      continue;
    }
    const deadline = Date.now() + 20000;
    while (alive(pid) && Date.now() < deadline) await sleep(100);
    if (alive(pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
      while (alive(pid)) await sleep(50);
    }
  }
  writePids({});
}

/**
 * A component that exited or stayed unready during start: its last log lines go to the journal, then
 * k3s's fatal line with the component's own error (its `"command failed" err=...`) when it gave one.
 */
function failed(component, logFile, pid) {
  const lines = tail(logFile, 12);
  journal(...lines);
  const err = lines.map((l) => /"command failed" err="(.*)"$/.exec(l)).filter(Boolean).pop();
  const why = alive(pid) ? "not ready in time" : err ? err[1].replace(/\\"/g, '"') : exits.get(pid) || "exited";
  k3sLog("fatal", `${component} exited: ${why}`);
  return Object.assign(new Error(`${component} exited: ${why}`), { inJournal: true });
}

async function start() {
  const startedAt = Date.now();
  const s = settings();
  const yaml = require(s.yamlModule);
  const node = { name: hostname(), ip: s.nodeIp };
  const cfg = readK3sConfig(yaml);
  if (cfg["node-ip"]) node.ip = String(cfg["node-ip"]).split(",")[0];
  ensurePki(node, cfg);
  fs.mkdirSync(RUN, { recursive: true });
  const logs = (c) => path.join(RUN, `${c}.log`);
  const pids = {};

  const entries = {};
  for (const [c, key] of Object.entries(CONFIG_ARG_KEYS)) {
    entries[c] = argEntries(cfg[key], key);
  }
  const added = standInArgs(node);
  if (cfg["secrets-encryption"] === true || cfg["secrets-encryption"] === "true") {
    added.apiserver["encryption-provider-config"] = `${CRED}/encryption-config.json`;
    added.apiserver["encryption-provider-config-automatic-reload"] = "true";
  }

  // etcd first: k3s starts its embedded etcd before the apiserver.
  const etcdConf = etcdConfig(node, entries.etcd);
  writeFile(ETCD_CONFIG, yaml.stringify(etcdConf));
  fs.mkdirSync(etcdConf["data-dir"], { recursive: true, mode: 0o700 });
  k3sLog("info", `etcd config: ${ETCD_CONFIG}`);
  pids.etcd = spawnDetached(path.join(s.bin, "etcd"), ["--config-file", ETCD_CONFIG], logs("etcd"));
  writePids(pids);

  // The supervisor port: k3s listens on 6443 and hands API traffic to the apiserver on 6444.
  pids.proxy = spawnDetached(process.execPath, [__filename, "proxy", "0.0.0.0", String(SUPERVISOR_PORT), String(APISERVER_PORT)], logs("proxy"));
  writePids(pids);

  const deadline = Date.now() + START_TIMEOUT_MS;
  const lines = {};
  for (const c of ["apiserver", "controllerManager", "scheduler"]) {
    const merged = mergedArgs(s.defaults[c] || {}, added[c], entries[c]);
    lines[c] = merged;
    fs.writeFileSync(path.join(RUN, `${c}.args`), flagList(merged).join("\n") + "\n");
  }
  const run = (c) => flagList(lines[c].filter(([k]) => !K3S_ONLY_FLAGS[c].includes(k)));

  k3sLog("info", `Running kube-apiserver ${flagList(lines.apiserver).join(" ")}`);
  const apiserverStarted = Date.now();
  pids.apiserver = spawnDetached(path.join(s.bin, BINARIES.apiserver), run("apiserver"), logs("apiserver"));
  writePids(pids);
  const ready = await waitFor([pids.apiserver, pids.etcd], async () => (await httpsGet(APISERVER_PORT, "/readyz", `${TLS}/client-admin`))[0] === 200, deadline);
  const apiserverReadySeconds = (Date.now() - apiserverStarted) / 1000;
  if (!ready) {
    if (!alive(pids.etcd)) throw failed("etcd", logs("etcd"), pids.etcd);
    throw failed("apiserver", logs("apiserver"), pids.apiserver);
  }
  for (const c of ["controllerManager", "scheduler"]) {
    k3sLog("info", `Running ${BINARIES[c]} ${flagList(lines[c]).join(" ")}`);
    pids[c] = spawnDetached(path.join(s.bin, BINARIES[c]), run(c), logs(c));
    writePids(pids);
  }
  for (const c of ["controllerManager", "scheduler"]) {
    const ok = await waitFor(pids[c], async () => (await httpsGet(HEALTH[c], "/healthz"))[0] === 200, deadline);
    if (!ok) throw failed(BINARIES[c], logs(c), pids[c]);
  }
  k3sLog("info", "k3s is up and running");
  // For bench/controlPlane.ts: how long the last start took (not something k3s writes).
  writeFile(path.join(RUN, "last-start.json"), JSON.stringify({ apiserverReadySeconds, totalSeconds: (Date.now() - startedAt) / 1000 }), 0o644);
}

/** Plain TCP hand-over from the supervisor port to the apiserver (TLS end to end). */
function proxy(host, port, target) {
  net
    .createServer((client) => {
      const upstream = net.connect(Number(target), "127.0.0.1");
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("error", end);
      upstream.on("error", end);
    })
    .listen(Number(port), host);
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "proxy") return proxy(...rest);
  if (cmd === "stop") return stopAll();
  if (cmd === "status") {
    const p = readPids();
    const up = ["etcd", "apiserver", "controllerManager", "scheduler"].every((c) => p[c] && alive(p[c]));
    process.stdout.write(up ? "active\n" : "inactive\n");
    process.exit(up ? 0 : 3);
  }
  if (cmd === "start") {
    await stopAll();
    try {
      await start();
    } catch (e) {
      await stopAll();
      // Like systemd: the reason is in the journal (failed() above), systemctl prints only its own lines.
      if (!e.inJournal) k3sLog("fatal", e.message);
      process.exit(1);
    }
    return;
  }
  process.stderr.write("usage: _k3s_server.js start|stop|status\n");
  process.exit(2);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
