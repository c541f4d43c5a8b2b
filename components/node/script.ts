/**
 * Generates the bash script that applies a node's files. One script per apply, fed to `bash -s` on the
 * node through stdin (file contents never appear in a command string).
 *
 * What the script guarantees:
 * - every file is staged as a temporary file in its target directory, then renamed over the target: a
 *   killed run leaves the old file or the new one, never a partial one (stale temporaries are removed);
 * - files are root-owned 0600, created directories 0700; the replaced version of every changed file is
 *   kept under the state directory (the newest `backups` runs), and the version found before the very
 *   first run is kept apart for an explicit restore;
 * - kernel parameters are applied from the staged file before k3s can see a config that needs them;
 * - k3s is restarted only when a file changed, and its health is awaited within a bounded time; if it
 *   does not become healthy the previous files are put back, k3s is restarted again, and the script fails
 *   with the journal's last lines;
 * - k3s is restarted only when the content of a file k3s reads changed (a mode or owner fix, or the
 *   sysctl file, needs no restart);
 * - runs on one node never overlap (flock);
 * - every successful run records what it left on the node (`sync` and `manifest` in the state directory):
 *   the drift probe compares the node with that record and with the stack, and the sync marker (the
 *   script's first argument) makes a drifted node an input change for Pulumi (see drift.ts).
 *
 * `K3S_HARDEN_ROOT` prefixes every node path. Only tests set it.
 */
import { createHash } from "node:crypto";
import { HEALTH_PROBE_TIMEOUT_SECONDS, HEALTH_PROBES, K3S_PATHS, K3S_UNITS } from "../k3s/facts";
import { NodeBundle } from "../k3s/render";

export interface ScriptOptions {
  healthTimeoutSeconds: number;
  backupsToKeep: number;
  /** Lines of journal shown when a restart fails. */
  journalLines?: number;
  /**
   * Identity of the SSH connection the command uses (a digest of non-secret parts, see connectionId in
   * nodeHardening.ts). The apply records it; a restore only runs when the node was last applied over the
   * same connection, so a replaced command's delete never undoes a newer apply.
   */
  connectionId?: string;
}

/** Files under the state directory that record the last successful apply (read by the drift probe). */
export const STATE_FILES = { sync: "sync", manifest: "manifest", journal: "pending" } as const;

/** Quote a string for bash (single quotes). */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Common prelude: strict mode, root prefix, state, lock, logging helpers. */
function prelude(bundle: NodeBundle, opts: ScriptOptions): string {
  const unit = K3S_UNITS[bundle.role];
  return `set -euo pipefail
umask 077
R="\${K3S_HARDEN_ROOT:-}"
NODE=${shq(bundle.node)}
UNIT=${shq(unit)}
HEALTH_TIMEOUT=${opts.healthTimeoutSeconds}
PROBE_TIMEOUT=${HEALTH_PROBE_TIMEOUT_SECONDS}
KEEP=${opts.backupsToKeep}
JOURNAL_LINES=${opts.journalLines ?? 40}
STATE="$R"${shq(K3S_PATHS.stateDir)}
SYNC="$STATE/${STATE_FILES.sync}"
MANIFEST="$STATE/${STATE_FILES.manifest}"
JOURNAL="$STATE/${STATE_FILES.journal}"
CONNECTION_ID=${shq(opts.connectionId ?? "")}
log() { printf 'k3s-hardening[%s]: %s\\n' "$NODE" "$*"; }
die() { printf 'k3s-hardening[%s]: ERROR: %s\\n' "$NODE" "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root: connect as root or set sudo: true for this node"
for tool in base64 cmp install mktemp flock timeout; do command -v "$tool" >/dev/null || die "required tool $tool is missing on the node"; done
install -d -m 0700 "$STATE" "$STATE/backups" "$STATE/original"
exec 9>"$STATE/lock"
flock -w 120 9 || die "another hardening run holds $STATE/lock"
unit_present() { systemctl cat "$UNIT.service" >/dev/null 2>&1 </dev/null; }
# One health probe, killed after $1 seconds: a server that accepts the connection and never answers must
# not hold the run (and its lock) past the deadline.
healthy() { timeout -k 2 "$1" ${bundle.role === "server" ? HEALTH_PROBES.server : HEALTH_PROBES.agent} >/dev/null 2>&1 </dev/null; }
journal_tail() { journalctl -u "$UNIT" -n "$JOURNAL_LINES" --no-pager </dev/null 2>&1 || true; }
# Restart and wait until healthy or HEALTH_TIMEOUT seconds have passed.
restart_and_wait() {
  local deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
  timeout "$HEALTH_TIMEOUT" systemctl restart "$UNIT" </dev/null || log "systemctl restart $UNIT did not succeed in time"
  local left
  while :; do
    left=$(( deadline - $(date +%s) ))
    [ "$left" -ge 1 ] || left=1
    [ "$left" -le "$PROBE_TIMEOUT" ] || left=$PROBE_TIMEOUT
    if healthy "$left"; then return 0; fi
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 2
  done
}
`;
}

/** Heredoc with the base64 payload of one file, decoded into a staged temporary file. */
function stageFile(index: number, path: string, content: string, readByK3s: boolean): string {
  const b64 = Buffer.from(content, "utf8").toString("base64").replace(/(.{76})/g, "$1\n");
  const marker = `K3SH_PAYLOAD_${index}`;
  return `stage ${shq(path)} ${readByK3s ? "k3s" : "-"} <<'${marker}'
${b64}
${marker}
`;
}

/** k3s reads every file we write except the sysctl file (applied with `sysctl -p`, not read by k3s). */
export function readByK3s(bundle: NodeBundle, path: string): boolean {
  return path !== bundle.sysctlFile;
}

/** The kernel parameters a bundle's sysctl file sets, in file order. */
export function bundleSysctls(bundle: NodeBundle): Array<[string, string]> {
  const file = bundle.files.find((f) => f.path === bundle.sysctlFile);
  if (!file) return [];
  const out: Array<[string, string]> = [];
  for (const line of file.content.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#") || t.startsWith(";") || !t.includes("=")) continue;
    const i = t.indexOf("=");
    out.push([t.slice(0, i).trim(), t.slice(i + 1).trim()]);
  }
  return out;
}

/** Bash that writes the record of a successful run: the sync marker and what each managed path holds. */
function recordFunction(bundle: NodeBundle): string {
  const files = bundle.files.map((f) => shq(f.path)).join(" ");
  const sysctls = bundleSysctls(bundle).map(([k]) => shq(k)).join(" ");
  return `# The record of this run, written atomically: the drift probe compares the node with it.
write_sync() {  # marker attempts
  local tmp
  tmp=$(mktemp "$STATE/.sync.XXXXXX")
  printf 'marker=%s\nattempts=%s\nconnection=%s\n' "$1" "$2" "$CONNECTION_ID" > "$tmp"
  mv -f -- "$tmp" "$SYNC"
}
record_manifest() {
  local tmp p k
  tmp=$(mktemp "$STATE/.manifest.XXXXXX")
  for p in ${files}; do
    if [ -f "$R$p" ]; then printf 'file %s %s %s\n' "$(sha256sum < "$R$p" | cut -c1-64)" "$(stat -c '%a %u %g' "$R$p")" "$p"
    else printf 'file absent %s\n' "$p"; fi
  done > "$tmp"
  for k in ${sysctls}; do printf 'sysctl %s %s\n' "$k" "$(sysctl -n "$k" 2>/dev/null </dev/null || echo '?')"; done >> "$tmp"
  mv -f -- "$tmp" "$MANIFEST"
}
finish() {  # a successful end: record, close the transaction, exit 0
  drop_prev_links "\${TARGETS[@]}"
  record_manifest
  write_sync "$MARKER" "$ATTEMPTS"
  rm -f -- "$JOURNAL"
  exit 0
}
# Where a run keeps the previous version of a target during its transaction: a hard link in the target's
# own directory (no extra space, and putting it back is a rename, which a full disk cannot stop).
prev_link() { printf '%s/.k3s-hardening-prev.%s' "$(dirname -- "$R$1")" "$(basename -- "$1")"; }
# Put the given targets back as they were before the run: by rename from the previous-version link, else
# from the backup folder's copy (absent there: removed); then the kernel parameters the run changed
# (the backup's .sysctl). Goes on past a failure and returns 1 naming each file it could not put back.
restore_set() {  # backup target...
  local backup="$1" p tmp key value link failed=""
  shift
  for p in "$@"; do
    link=$(prev_link "$p")
    if [ -f "$link" ]; then
      mv -f -- "$link" "$R$p" 2>>"$STATE/restore.err" || failed="$failed $p"
    elif [ -e "$backup$p" ]; then
      if ! { tmp=$(mktemp "$R$(dirname -- "$p")/.k3s-hardening.XXXXXX") && cp -p -- "$backup$p" "$tmp" && mv -f -- "$tmp" "$R$p"; } 2>>"$STATE/restore.err"; then
        failed="$failed $p"; [ -n "\${tmp:-}" ] && rm -f -- "$tmp"
      fi
    elif grep -qxF -- "$p" "$backup/.absent" 2>/dev/null; then
      rm -f -- "$R$p" 2>>"$STATE/restore.err" || failed="$failed $p"
    fi
  done
  # Directories the run created or tightened: back to their mode and owner, or removed (when empty) if
  # the run created them.
  if [ -f "$backup/.dirs" ]; then
    local mode uid gid d
    while read -r mode uid gid d; do
      if [ "$mode" = absent ]; then rmdir -- "$R$uid" 2>/dev/null || true  # "absent <dir> - -"
      else chmod "$mode" -- "$R$d" 2>>"$STATE/restore.err" && chown "$uid:$gid" -- "$R$d" 2>>"$STATE/restore.err" || failed="$failed $d/"; fi
    done < "$backup/.dirs"
  fi
  if [ -f "$backup/.sysctl" ]; then
    while IFS='=' read -r key value; do
      [ -n "$key" ] || continue
      sysctl -w "$key=$value" </dev/null >/dev/null 2>&1 || log "could not put kernel parameter $key back to $value"
    done < "$backup/.sysctl"
  fi
  sync
  if [ -n "$failed" ]; then
    RESTORE_FAILED="$failed"
    return 1
  fi
  return 0
}
# The previous-version links of a finished transaction are not needed any more.
drop_prev_links() { local p; for p in "$@"; do rm -f -- "$(prev_link "$p")"; done; }
`;
}

/** The apply script for one node. Deterministic: the same bundle gives the same script. */
export function renderApplyScript(bundle: NodeBundle, opts: ScriptOptions): string {
  const dirs = bundle.directories.map((d) => `  install -d -m 0700 -o root -g root "$R"${shq(d)}\n  chmod 0700 "$R"${shq(d)}`).join("\n");
  const stages = bundle.files.map((f, i) => stageFile(i, f.path, f.content, readByK3s(bundle, f.path))).join("");
  const sysctl = bundle.sysctlFile ? shq(bundle.sysctlFile) : "''";
  const sysctlKeys = bundleSysctls(bundle).map(([k]) => shq(k)).join(" ");
  const payloadKb = Math.ceil(bundle.files.reduce((n, f) => n + Buffer.byteLength(f.content, "utf8"), 0) / 1024);
  const dirList = bundle.directories.map((d) => shq(d)).join(" ");
  const targetDirs = [...new Set(bundle.files.map((f) => f.path.slice(0, f.path.lastIndexOf("/")) || "/"))].map((d) => `"$R"${shq(d)}`).join(" ");
  return `#!/bin/bash
# k3s-cis-hardening apply script for node ${bundle.node} (${bundle.role}); generated, do not edit.
main() {
${prelude(bundle, opts)}
# Enough room to stage every file and keep the previous versions, checked before anything is written: a
# full disk must stop the run here, not half-way through.
PAYLOAD_KB=${payloadKb}
NEED_KB=$(( PAYLOAD_KB * 2 + 256 ))
for d in "$STATE" ${targetDirs}; do
  while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done
  avail=$(df -Pk -- "$d" 2>/dev/null | awk 'NR == 2 { print $4 }')
  if [ -n "$avail" ] && [ "$avail" -lt "$NEED_KB" ]; then
    die "not enough free space on the filesystem of $d: \${avail} KB free, \${NEED_KB} KB needed to stage the hardened files and keep the previous versions. Nothing was changed; free space, then run pulumi up again"
  fi
done
# The sync marker from the command line (digits; see drift.ts); recorded when this run succeeds.
${recordFunction(bundle)}MARKER="\${1:-}"
case "$MARKER" in *[!0-9]*) die "invalid sync marker $MARKER" ;; esac
ATTEMPTS=""; PREVIOUS_MARKER=""
if [ -f "$SYNC" ]; then
  ATTEMPTS=$(sed -n 's/^attempts=\\([0-9][0-9]*\\)$/\\1/p' "$SYNC" | head -n 1)
  PREVIOUS_MARKER=$(sed -n 's/^marker=\\([0-9]*\\)$/\\1/p' "$SYNC" | head -n 1)
fi
ATTEMPTS=$(( \${ATTEMPTS:-0} + 1 ))
# Counted before anything changes, so that a failed or killed run still moves the count on.
write_sync "$PREVIOUS_MARKER" "$ATTEMPTS"
TARGETS=(); STAGED=(); CHANGED=(); RESTART=0; RESTORE_FAILED=""
# A run killed after it replaced files (during the restart, the health wait or a rollback) left its journal.
# Finish that transaction: put its whole set back from its backup, then apply as any run does, so that
# k3s is restarted and health-checked on the result, or rolled back.
if [ -f "$JOURNAL" ]; then
  jbackup=$(sed -n 's/^backup=//p' "$JOURNAL" | head -n 1)
  mapfile -t jtargets < <(sed -n 's/^target=//p' "$JOURNAL")
  if [ -n "$jbackup" ] && [ -d "$jbackup" ] && ! restore_set "$jbackup" "\${jtargets[@]}"; then
    die "an earlier run was interrupted after replacing files, and putting back its previous files failed for:$RESTORE_FAILED ($(tail -n 3 "$STATE/restore.err" 2>/dev/null | tr '\n' ' ')). The previous versions are in $jbackup; free space or fix the cause, then run pulumi up again (the interrupted transaction is kept)"
  fi
  drop_prev_links "\${jtargets[@]}"
  grep -qx 'restart=1' "$JOURNAL" && RESTART=1
  rm -f -- "$JOURNAL"
  log "an earlier run was interrupted after replacing files: put them back; applying again"
fi
cleanup() { local s; for s in "\${STAGED[@]}"; do if [ -n "$s" ]; then rm -f -- "$s"; fi; done; return 0; }
trap cleanup EXIT
# Temporaries left by a run that was killed mid-write.
for t in ${bundle.files.map((f) => `"$R"${shq(f.path.slice(0, f.path.lastIndexOf("/")))}`).join(" ")}; do
  [ -d "$t" ] && find "$t" -maxdepth 1 -name '.k3s-hardening.*' -type f -delete
done
# Stage one file from base64 on stdin; remember it if its content, mode or owner differs from the target.
# A content change of a file k3s reads ($2 = k3s) needs a restart; a mode or owner fix does not.
stage() {
  local target="$R$1" dir tmp
  dir=$(dirname -- "$target")
  [ -d "$dir" ] || install -d -m 0700 -o root -g root "$dir"
  tmp=$(mktemp "$dir/.k3s-hardening.XXXXXX")
  STAGED+=("$tmp")
  base64 -d > "$tmp"
  chmod 0600 "$tmp"; chown root:root "$tmp"
  if [ -f "$target" ] && cmp -s "$tmp" "$target" && [ "$(stat -c '%a %u %g' "$target")" = "600 0 0" ]; then
    rm -f -- "$tmp"
    STAGED[\${#STAGED[@]}-1]=""
  else
    TARGETS+=("$1"); CHANGED+=("$tmp")
    if [ "$2" = k3s ] && ! { [ -f "$target" ] && cmp -s "$tmp" "$target"; }; then RESTART=1; fi
  fi
}
# The managed directories as they are before this run (a rollback puts their mode and owner back).
for d in ${dirList}; do
  if [ -d "$R$d" ]; then printf '%s %s\\n' "$(stat -c '%a %u %g' "$R$d")" "$d"; else printf 'absent %s - -\\n' "$d"; fi
done > "$STATE/dirs.before"
${dirs}
${stages}
SYSCTL_FILE=${sysctl}
SYSCTL_KEYS=(${sysctlKeys})
rm -f -- "$STATE/sysctl.before"
# Kernel parameters first: protect-kernel-defaults stops the kubelet if they are not in effect.
if [ -n "$SYSCTL_FILE" ]; then
  src="$R$SYSCTL_FILE"
  for i in "\${!TARGETS[@]}"; do [ "\${TARGETS[$i]}" = "$SYSCTL_FILE" ] && src="\${CHANGED[$i]}"; done
  drift=0
  while IFS='=' read -r key value; do
    key=$(echo "$key" | tr -d ' '); value=$(echo "$value" | tr -d ' ')
    case "$key" in ''|'#'*) continue ;; esac
    [ "$(sysctl -n "$key" 2>/dev/null </dev/null)" = "$value" ] || drift=1
  done < "$src"
  if [ "$drift" = 1 ]; then
    # The values before this run, kept with its backup: a rollback puts them back with the files.
    for key in "\${SYSCTL_KEYS[@]}"; do
      if value=$(sysctl -n "$key" 2>/dev/null </dev/null); then printf '%s=%s\\n' "$key" "$value"; fi
    done > "$STATE/sysctl.before"
    sysctl -p "$src" </dev/null >/dev/null 2>"$STATE/sysctl.err" || die "could not set kernel parameters from $SYSCTL_FILE (protect-kernel-defaults needs them): $(cat "$STATE/sysctl.err")"
    log "kernel parameters applied"
  fi
fi
if [ "\${#TARGETS[@]}" -eq 0 ] && [ "$RESTART" = 0 ]; then
  rm -f -- "$STATE/sysctl.before" "$STATE/dirs.before"
  log "no changes"
  finish
fi
# Keep what is replaced: this run's backup, and the pre-hardening original the first time a path is touched.
BACKUP="$STATE/backups/$(date -u +%Y%m%dT%H%M%SZ)-$$"
install -d -m 0700 "$BACKUP"
if [ -f "$STATE/sysctl.before" ]; then mv -f -- "$STATE/sysctl.before" "$BACKUP/.sysctl"; fi
mv -f -- "$STATE/dirs.before" "$BACKUP/.dirs"
for p in "\${TARGETS[@]}"; do
  if [ -e "$R$p" ]; then
    install -d -m 0700 "$BACKUP$(dirname -- "$p")"
    cp -p -- "$R$p" "$BACKUP$p"
  else
    echo "$p" >> "$BACKUP/.absent"
  fi
  if [ ! -e "$STATE/original$p" ] && ! grep -qxF -- "$p" "$STATE/original/.absent" 2>/dev/null; then
    if [ -e "$R$p" ]; then install -d -m 0700 "$STATE/original$(dirname -- "$p")"; cp -p -- "$R$p" "$STATE/original$p"
    else echo "$p" >> "$STATE/original/.absent"; fi
  fi
done
# The previous version of each target, hard-linked in its own directory: the rollback is a rename.
for p in "\${TARGETS[@]}"; do
  link=$(prev_link "$p"); rm -f -- "$link"
  if [ -f "$R$p" ]; then ln -- "$R$p" "$link"; fi
done
# The journal of this transaction, before the first rename: a later run finishes it if this one is killed.
{ printf 'backup=%s\nrestart=%s\n' "$BACKUP" "$RESTART"; for p in "\${TARGETS[@]}"; do printf 'target=%s\n' "$p"; done; } > "$JOURNAL.tmp"
mv -f -- "$JOURNAL.tmp" "$JOURNAL"
sync
# Atomic replace, in bundle order (config.yaml last).
for i in "\${!TARGETS[@]}"; do
  mv -f -- "\${CHANGED[$i]}" "$R\${TARGETS[$i]}"
  log "updated \${TARGETS[$i]}"
done
sync
# Old backups beyond KEEP.
ls -1d "$STATE/backups/"*/ 2>/dev/null | sort | head -n -"$KEEP" | while read -r old; do rm -rf -- "$old"; done
if [ "$RESTART" = 0 ]; then
  log "no file k3s reads changed its content: no restart"
  finish
fi
if ! unit_present; then
  log "$UNIT.service is not installed: files are in place and take effect when k3s starts"
  finish
fi
log "restarting $UNIT"
if restart_and_wait; then
  log "$UNIT healthy after restart"
  finish
fi
TAIL=$(journal_tail)
log "$UNIT not healthy within \${HEALTH_TIMEOUT}s; restoring previous files"
if ! restore_set "$BACKUP" "\${TARGETS[@]}"; then
  die "$UNIT did not become healthy within \${HEALTH_TIMEOUT}s after applying the hardened configuration, and putting back the previous files failed for:$RESTORE_FAILED ($(tail -n 3 "$STATE/restore.err" 2>/dev/null | tr '\n' ' ')). $UNIT was not restarted again. The previous versions are in $BACKUP; free space or fix the cause, then run pulumi up again: it finishes the rollback first (the transaction is kept). Last journal lines:
$TAIL"
fi
drop_prev_links "\${TARGETS[@]}"
if restart_and_wait; then after="the previous configuration was restored and $UNIT is healthy again"
else after="$UNIT is still unhealthy after restoring the previous configuration: investigate the node now"; fi
rm -f -- "$JOURNAL"
die "$UNIT did not become healthy within \${HEALTH_TIMEOUT}s after applying the hardened configuration; $after. Last journal lines:
$TAIL"
}
main "$@"
`;
}

/**
 * The restore script (restoreOnDestroy): the files found before the first run are put back and k3s
 * restarted. Without restoreOnDestroy there is no delete command at all: the hardening stays on the node
 * and removing a node from the stack opens no SSH session.
 */
export function renderRestoreScript(bundle: NodeBundle, opts: ScriptOptions): string {
  return `#!/bin/bash
# k3s-cis-hardening restore script for node ${bundle.node}; generated, do not edit.
main() {
${prelude(bundle, opts)}
[ -d "$STATE/original" ] || { log "nothing to restore"; exit 0; }
# A replaced command's delete runs after its successor's apply: never undo that newer apply.
if [ -n "$CONNECTION_ID" ] && [ -f "$SYNC" ]; then
  applied_over=$(sed -n 's/^connection=//p' "$SYNC" | head -n 1)
  if [ -n "$applied_over" ] && [ "$applied_over" != "$CONNECTION_ID" ]; then
    log "the hardening on this node was last applied over another connection ($applied_over, this one is $CONNECTION_ID): a newer apply owns it; not restoring"
    exit 0
  fi
fi
changed=0
for p in ${bundle.files.map((f) => shq(f.path)).join(" ")}; do
  if [ -e "$STATE/original$p" ]; then
    tmp=$(mktemp "$R$(dirname -- "$p")/.k3s-hardening.XXXXXX"); cp -p -- "$STATE/original$p" "$tmp"; mv -f -- "$tmp" "$R$p"; changed=1
    log "restored $p"
  elif grep -qxF -- "$p" "$STATE/original/.absent" 2>/dev/null; then
    rm -f -- "$R$p"; changed=1
    log "removed $p (absent before hardening)"
  fi
done
sync
if [ "$changed" = 1 ] && unit_present; then
  restart_and_wait || die "$UNIT not healthy after restoring the pre-hardening files. Last journal lines:
$(journal_tail)"
fi
# The node no longer carries this stack's hardening: forget the record of it.
rm -f -- "$SYNC" "$MANIFEST"
log "pre-hardening files restored"
}
main
`;
}

/** Short content hash, shown in resource outputs so reviewers see which nodes change. */
export function bundleDigest(bundle: NodeBundle): string {
  const h = createHash("sha256");
  for (const f of bundle.files) h.update(f.path).update("\0").update(f.content).update("\0");
  return h.digest("hex").slice(0, 16);
}
