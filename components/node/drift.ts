/**
 * Drift: what a node holds compared with what the stack would write there.
 *
 * A read-only probe (renderProbeScript) runs on the node over SSH during `pulumi preview`/`up` and
 * `npm run drift`; it prints, for every managed file, its sha256, mode and owner, the live kernel
 * parameters, and the record the last successful apply left (`sync`, `manifest`). compareNode() turns that
 * into findings, pure and without I/O:
 * - `drift`: the node differs from the stack *and* from what the last apply wrote: a hand edit, a deleted
 *   file, a chmod, a reset kernel parameter;
 * - `pending`: the node still holds what the last apply wrote, and the stack now wants something else
 *   (a configuration change not yet applied; Pulumi shows it as an update anyway), or the stack never
 *   applied to the node (a new node).
 *
 * The sync marker turns a node that differs from the stack into an input change of its apply command:
 * - in sync: the marker is the one the last successful apply recorded, which is the value Pulumi holds
 *   in its state, so the probe leaves the command's inputs unchanged;
 * - drifted or pending: the marker is the node's apply count + 1, which no earlier run used (every run,
 *   failed or killed ones too, increments the count before it changes anything), so the command updates
 *   and the apply script converges the node; its success records that marker, so the next run is in sync
 *   again. A failed update whose new inputs Pulumi kept is retried too: the count moved on.
 */
import { createHash } from "node:crypto";
import { NodeBundle } from "../k3s/render";
import { K3S_PATHS } from "../k3s/facts";
import { bundleSysctls, readByK3s, shq, STATE_FILES } from "./script";

/** Owner and mode every managed file and directory must have. */
const WANT_FILE_MODE = "600";
const WANT_DIR_MODE = "700";
const WANT_OWNER = "0 0";

/** The read-only probe: prints one line per fact; changes nothing on the node. */
export function renderProbeScript(bundle: NodeBundle): string {
  const files = bundle.files.map((f) => shq(f.path)).join(" ");
  const dirs = bundle.directories.map((d) => shq(d)).join(" ");
  const sysctls = bundleSysctls(bundle).map(([k]) => shq(k)).join(" ");
  const state = `"$R"${shq(K3S_PATHS.stateDir)}`;
  return `set -u
R="\${K3S_HARDEN_ROOT:-}"
[ "$(id -u)" = 0 ] || { echo "probe-error not-root"; exit 3; }
echo "probe v1"
for p in ${files}; do
  if [ -f "$R$p" ]; then printf 'file %s %s %s\\n' "$(sha256sum < "$R$p" | cut -c1-64)" "$(stat -c '%a %u %g' "$R$p")" "$p"
  elif [ -e "$R$p" ]; then printf 'file not-a-file %s\\n' "$p"
  else printf 'file absent %s\\n' "$p"; fi
done
for d in ${dirs}; do
  if [ -d "$R$d" ]; then printf 'dir %s %s\\n' "$(stat -c '%a %u %g' "$R$d")" "$d"; else printf 'dir absent %s\\n' "$d"; fi
done
for k in ${sysctls}; do printf 'sysctl %s %s\\n' "$k" "$(sysctl -n "$k" 2>/dev/null </dev/null || echo '?')"; done
[ -f ${state}/${STATE_FILES.sync} ] && sed 's/^/sync /' ${state}/${STATE_FILES.sync}
[ -f ${state}/${STATE_FILES.manifest} ] && sed 's/^/manifest /' ${state}/${STATE_FILES.manifest}
[ -f ${state}/${STATE_FILES.journal} ] && echo "interrupted"
echo "probe end"
`;
}

export interface FileFacts {
  /** sha256 hex, or absent / not-a-file. */
  sha: string;
  mode?: string;
  owner?: string;
}

/** What the probe saw on one node. */
export interface ProbeResult {
  files: Map<string, FileFacts>;
  dirs: Map<string, { mode?: string; owner?: string; absent: boolean }>;
  sysctls: Map<string, string>;
  /** The last successful apply's record; empty maps when the node has none. */
  manifestFiles: Map<string, FileFacts>;
  manifestSysctls: Map<string, string>;
  /** Marker recorded by the last successful apply ("" if none). */
  marker: string;
  /** Apply runs counted on the node (0 if none). */
  attempts: number;
  /** An apply was killed after replacing files (its journal is still there). */
  interrupted: boolean;
}

/** Parse the probe's output; throws with the offending line when it is not a complete probe. */
export function parseProbeOutput(text: string): ProbeResult {
  const r: ProbeResult = {
    files: new Map(),
    dirs: new Map(),
    sysctls: new Map(),
    manifestFiles: new Map(),
    manifestSysctls: new Map(),
    marker: "",
    attempts: 0,
    interrupted: false,
  };
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (!lines.includes("probe v1") || !lines.includes("probe end")) {
    const err = lines.find((l) => l.startsWith("probe-error "));
    throw new Error(err ? `probe failed: ${err.slice(12)}` : "probe output incomplete (the connection dropped, or bash is missing on the node)");
  }
  const fileFacts = (rest: string): [string, FileFacts] => {
    const m = /^(absent|not-a-file) (.+)$/.exec(rest);
    if (m) return [m[2], { sha: m[1] }];
    const f = /^([0-9a-f]{64}) ([0-7]{3,4}) (\d+ \d+) (.+)$/.exec(rest);
    if (!f) throw new Error(`unreadable probe line: ${rest}`);
    return [f[4], { sha: f[1], mode: f[2], owner: f[3] }];
  };
  for (const line of lines) {
    const sp = line.indexOf(" ");
    const kind = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? "" : line.slice(sp + 1);
    if (kind === "file") {
      const [p, f] = fileFacts(rest);
      r.files.set(p, f);
    } else if (kind === "dir") {
      const m = /^absent (.+)$/.exec(rest);
      if (m) r.dirs.set(m[1], { absent: true });
      else {
        const d = /^([0-7]{3,4}) (\d+ \d+) (.+)$/.exec(rest);
        if (!d) throw new Error(`unreadable probe line: ${line}`);
        r.dirs.set(d[3], { mode: d[1], owner: d[2], absent: false });
      }
    } else if (kind === "sysctl") {
      const [k, ...v] = rest.split(" ");
      r.sysctls.set(k, v.join(" "));
    } else if (kind === "manifest") {
      if (rest.startsWith("file ")) {
        const [p, f] = fileFacts(rest.slice(5));
        r.manifestFiles.set(p, f);
      } else if (rest.startsWith("sysctl ")) {
        const [k, ...v] = rest.slice(7).split(" ");
        r.manifestSysctls.set(k, v.join(" "));
      }
    } else if (kind === "interrupted") {
      r.interrupted = true;
    } else if (kind === "sync") {
      const m = /^(marker|attempts)=(\d*)$/.exec(rest);
      if (m && m[1] === "marker") r.marker = m[2];
      if (m && m[1] === "attempts") r.attempts = Number(m[2] || "0");
    }
  }
  return r;
}

export type FindingKind = "content" | "missing" | "mode" | "owner" | "value" | "interrupted";

export interface Finding {
  /** drift: changed on the node since the last apply; pending: the stack wants a change not yet applied. */
  category: "drift" | "pending";
  /** A file or directory path, or a kernel parameter name. */
  item: string;
  what: FindingKind;
  /** Human detail, never file content: "mode 644, want 600", "is 0, want 1". */
  detail: string;
  /** Whether putting it back restarts k3s (a content change of a file k3s reads). */
  restarts: boolean;
}

export interface NodeDrift {
  node: string;
  findings: Finding[];
  /** The marker for the apply command (see the module comment). */
  marker: string;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** Compare a probe with the bundle the stack would write now (the real one, secrets included). */
export function compareNode(bundle: NodeBundle, probe: ProbeResult): NodeDrift {
  const findings: Finding[] = [];
  // A node this stack never applied to (no record at all) is not drifted: everything on it is pending.
  const neverApplied = probe.attempts === 0 && probe.manifestFiles.size === 0;
  const add = (f: Finding, lastApplied: boolean) => findings.push({ ...f, category: lastApplied || neverApplied ? "pending" : "drift" });
  for (const file of bundle.files) {
    const live = probe.files.get(file.path) ?? { sha: "absent" };
    const recorded = probe.manifestFiles.get(file.path);
    const want = sha256(file.content);
    const restarts = readByK3s(bundle, file.path);
    if (live.sha !== want) {
      // Still what the last apply wrote: a pending change, not drift.
      const asApplied = recorded !== undefined && recorded.sha === live.sha && live.sha.length === 64;
      if (live.sha === "absent") add({ category: "drift", item: file.path, what: "missing", detail: "file is missing", restarts }, false);
      else if (live.sha === "not-a-file") add({ category: "drift", item: file.path, what: "missing", detail: "is not a regular file", restarts }, false);
      else add({ category: "drift", item: file.path, what: "content", detail: "content differs", restarts }, asApplied);
      if (live.sha.length !== 64) continue;
    }
    if (live.mode !== WANT_FILE_MODE) add({ category: "drift", item: file.path, what: "mode", detail: `mode ${live.mode}, want ${WANT_FILE_MODE}`, restarts: false }, false);
    if (live.owner !== WANT_OWNER) add({ category: "drift", item: file.path, what: "owner", detail: `owner ${live.owner?.replace(" ", ":")}, want 0:0`, restarts: false }, false);
  }
  for (const dir of bundle.directories) {
    const live = probe.dirs.get(dir);
    if (!live || live.absent) add({ category: "drift", item: dir, what: "missing", detail: "directory is missing", restarts: false }, false);
    else {
      if (live.mode !== WANT_DIR_MODE) add({ category: "drift", item: dir, what: "mode", detail: `mode ${live.mode}, want ${WANT_DIR_MODE}`, restarts: false }, false);
      if (live.owner !== WANT_OWNER) add({ category: "drift", item: dir, what: "owner", detail: `owner ${live.owner?.replace(" ", ":")}, want 0:0`, restarts: false }, false);
    }
  }
  for (const [key, want] of bundleSysctls(bundle)) {
    const live = probe.sysctls.get(key) ?? "?";
    if (live !== want) {
      add({ category: "drift", item: key, what: "value", detail: `kernel parameter is ${live}, want ${want}`, restarts: false }, probe.manifestSysctls.get(key) === live && live !== "?");
    }
  }
  if (probe.interrupted) {
    findings.push({ category: "drift", item: "last apply", what: "interrupted", detail: "killed after it replaced files; the next apply finishes it (restart and health check, or roll back)", restarts: true });
  }
  // Pending changes move the marker on too: after a failed update Pulumi may hold the new inputs
  // already, and only a new marker makes the retry an input change.
  return { node: bundle.node, findings, marker: syncMarker(probe, findings.length > 0) };
}

/** The sync marker for the apply command (see the module comment). */
export function syncMarker(probe: Pick<ProbeResult, "marker" | "attempts">, drifted: boolean): string {
  return drifted ? String(probe.attempts + 1) : probe.marker;
}

/** One line per finding, for warnings and the drift table. */
export function describeFindings(d: NodeDrift, category: Finding["category"]): string[] {
  return d.findings.filter((f) => f.category === category).map((f) => `${f.item}: ${f.detail}`);
}
