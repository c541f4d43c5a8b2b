/**
 * A newer profile as the changes it makes to an older one. k3s profiles move slowly (k3s-cis-1.12 keeps
 * all but a dozen of 1.9's 130 checks as they were), so each new catalog states only what differs; the
 * result has the same shape as a catalog written out in full, and the check-file test compares it with
 * the published files check by check.
 */
import { compareIds } from "../ids";
import { Benchmark, BenchmarkId, CheckFileSource, Control, FlagTestItem, Topic } from "../types";

export interface ProfileChanges {
  id: BenchmarkId;
  cisVersion: string;
  kubernetes: Benchmark["kubernetes"];
  source: CheckFileSource;
  /** Checks the profile no longer has. */
  remove?: readonly string[];
  /** Old id -> new id; the section follows the new id. Applied after `remove`. */
  renumber?: Readonly<Record<string, string>>;
  /** Section ids -> titles to add; `null` drops a section. */
  sections?: Readonly<Record<string, string | null>>;
  /** Field changes by (new) id; a `check` replaces the whole check. */
  change?: Readonly<Record<string, Partial<Omit<Control, "id">>>>;
  /** New checks. */
  add?: readonly Control[];
  /** Topics whose check is removed and folded into a broader check's topic (kept by later profiles). */
  foldTopics?: Partial<Record<Topic, Topic>>;
}

function sectionOf(id: string): string {
  const parts = id.split(".");
  return parts.length > 2 ? parts.slice(0, 2).join(".") : parts[0];
}

/** Apply `changes` to `base`. Every id named in the changes must exist (or, for `add`, must not). */
export function deriveBenchmark(base: Benchmark, changes: ProfileChanges): Benchmark {
  const problem = (msg: string): never => {
    throw new Error(`${changes.id}: ${msg}`);
  };
  const has = (controls: Control[], id: string) => controls.some((c) => c.id === id);
  let controls = base.controls.map((c) => ({ ...c }));
  for (const id of changes.remove ?? []) {
    if (!has(controls, id)) problem(`cannot remove ${id}: ${base.id} has no such check`);
    controls = controls.filter((c) => c.id !== id);
  }
  const renumber = changes.renumber ?? {};
  for (const from of Object.keys(renumber)) if (!has(controls, from)) problem(`cannot renumber ${from}: no such check`);
  controls = controls.map((c) => (renumber[c.id] ? { ...c, id: renumber[c.id], section: sectionOf(renumber[c.id]) } : c));
  for (const [id, fields] of Object.entries(changes.change ?? {})) {
    if (!has(controls, id)) problem(`cannot change ${id}: no such check`);
    controls = controls.map((c) => (c.id === id ? { ...c, ...fields } : c));
  }
  for (const c of changes.add ?? []) {
    if (has(controls, c.id)) problem(`cannot add ${c.id}: it exists`);
    controls.push(c);
  }
  const ids = controls.map((c) => c.id);
  if (new Set(ids).size !== ids.length) problem("duplicate ids after renumbering");
  const sections: Record<string, string> = { ...base.sections };
  for (const [id, title] of Object.entries(changes.sections ?? {})) {
    if (title === null) delete sections[id];
    else sections[id] = title;
  }
  const foldedTopics = { ...base.foldedTopics, ...changes.foldTopics };
  for (const [from, into] of Object.entries(foldedTopics)) {
    if (controls.some((c) => c.topic === from)) problem(`topic ${from} is folded into ${into} but still has a check`);
    if (!controls.some((c) => c.topic === into)) problem(`topic ${from} is folded into ${into}, which has no check`);
  }
  return {
    id: changes.id,
    cisVersion: changes.cisVersion,
    kubernetes: changes.kubernetes,
    source: changes.source,
    ...(Object.keys(foldedTopics).length > 0 ? { foldedTopics } : {}),
    sections,
    controls: controls.sort((a, b) => compareIds(a.id, b.id)),
  };
}

/** A flag check's items with one value replaced (the cipher lists that shrink between profiles). */
export function withCompareValue(control: Control, value: string): Partial<Control> {
  if (control.check.kind !== "flag") throw new Error(`${control.id} is not a flag check`);
  const items: FlagTestItem[] = control.check.items.map((i) => (i.compare ? { ...i, compare: { ...i.compare, value } } : i));
  return { check: { ...control.check, items } };
}
