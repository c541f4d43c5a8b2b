/**
 * A small harness for the audit log shipping configs: reads the pipeline stages out of the promtail scrape
 * config and the Alloy config as deployed, and runs them over real audit log lines with the same JMESPath
 * expressions (the jmespath package; promtail and Alloy use go-jmespath). Loki itself is AGPL and stays out.
 *
 * Semantics followed (promtail docs, pipeline stages; Alloy loki.process): `json` extracts each expression
 * from the line; `labels`/`structured_metadata` take the extracted value of the same name (Alloy: an
 * empty value means the same name); a missing or null value sets nothing; numbers become their decimal
 * text; `timestamp` parses the extracted source with the given format.
 */
import * as jmespath from "jmespath";
import * as YAML from "yaml";

export interface PipelineSpec {
  /** The static labels of the stream (job, cluster) and the path read. */
  staticLabels: Record<string, string>;
  path: string;
  /** extracted name -> JMESPath expression */
  expressions: Record<string, string>;
  /** label name -> extracted name */
  labels: Record<string, string>;
  structuredMetadata: Record<string, string>;
  timestamp?: { source: string; format: string };
}

export interface ShippedEntry {
  labels: Record<string, string>;
  structuredMetadata: Record<string, string>;
  timestamp?: Date;
}

type Stage = Record<string, Record<string, unknown> | null>;

/** label name -> extracted name; an empty (or, in YAML, null) value means the extracted value of the same name. */
function sameNameWhenEmpty(m: Record<string, unknown> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, typeof v === "string" && v !== "" ? v : k]));
}

/** The first scrape config of promtail's `scrape_configs` snippet. */
export function promtailSpec(scrapeConfigs: string): PipelineSpec {
  const [job] = YAML.parse(scrapeConfigs) as Array<{ static_configs: Array<{ labels: Record<string, string> }>; pipeline_stages: Stage[] }>;
  const { __path__: p, ...staticLabels } = job.static_configs[0].labels;
  const spec: PipelineSpec = { staticLabels, path: p, expressions: {}, labels: {}, structuredMetadata: {} };
  for (const stage of job.pipeline_stages) {
    if (stage.json) spec.expressions = { ...(stage.json.expressions as Record<string, string>) };
    if (stage.labels !== undefined) spec.labels = sameNameWhenEmpty(stage.labels);
    if (stage.structured_metadata !== undefined) spec.structuredMetadata = sameNameWhenEmpty(stage.structured_metadata);
    if (stage.timestamp) spec.timestamp = { source: String(stage.timestamp.source), format: String(stage.timestamp.format) };
  }
  return spec;
}

/** The body of the block that starts at `header {` (balanced braces). */
function block(text: string, header: string): string {
  const start = text.indexOf(`${header} {`);
  if (start < 0) throw new Error(`no "${header}" block in the Alloy config`);
  let depth = 0;
  for (let i = text.indexOf("{", start); i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(text.indexOf("{", start) + 1, i);
  }
  throw new Error(`unbalanced "${header}" block`);
}

/** `key = "value"` pairs of an Alloy object literal (keys bare or quoted). */
function pairs(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/"?([A-Za-z_][\w]*)"?\s*=\s*"((?:[^"\\]|\\.)*)"/g)) out[m[1]] = JSON.parse(`"${m[2]}"`);
  return out;
}

export function alloySpec(text: string): PipelineSpec {
  const targets = pairs(block(text, `local.file_match "k8s_audit"`));
  const { __path__: p, ...staticLabels } = targets;
  const proc = block(text, `loki.process "k8s_audit"`);
  const json = block(proc, "stage.json");
  const ts = pairs(block(proc, "stage.timestamp"));
  return {
    staticLabels,
    path: p,
    expressions: pairs(objectAttrBody(json, "expressions")),
    labels: sameNameWhenEmpty(pairs(objectAttrBody(block(proc, "stage.labels"), "values"))),
    structuredMetadata: sameNameWhenEmpty(pairs(objectAttrBody(block(proc, "stage.structured_metadata"), "values"))),
    timestamp: { source: ts.source, format: ts.format },
  };
}

/** The body of the object literal of attribute `name = { ... }` inside a block body. */
function objectAttrBody(body: string, name: string): string {
  const m = new RegExp(`\\b${name}\\s*=\\s*\\{`).exec(body);
  if (!m) throw new Error(`no ${name} = { ... } in Alloy block`);
  let depth = 0;
  const open = m.index + m[0].length - 1;
  for (let i = open; i < body.length; i++) {
    if (body[i] === "{") depth++;
    else if (body[i] === "}" && --depth === 0) return body.slice(open + 1, i);
  }
  throw new Error(`unbalanced ${name}`);
}

function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** Only the formats the configs use. */
function parseTime(value: string, format: string): Date {
  if (format !== "RFC3339Nano" && format !== "RFC3339") throw new Error(`timestamp format ${format} not supported by the test harness`);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/.test(value)) throw new Error(`${value} is not ${format}`);
  return new Date(value.replace(/(\.\d{3})\d+/, "$1"));
}

/** What the pipeline makes of one log line. */
export function ship(spec: PipelineSpec, line: string): ShippedEntry {
  const doc = JSON.parse(line) as unknown;
  const extracted: Record<string, unknown> = {};
  for (const [name, expr] of Object.entries(spec.expressions)) extracted[name] = jmespath.search(doc, expr);
  const pick = (m: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [label, source] of Object.entries(m)) {
      const v = text(extracted[source]);
      if (v !== undefined) out[label] = v;
    }
    return out;
  };
  const entry: ShippedEntry = { labels: { ...spec.staticLabels, ...pick(spec.labels) }, structuredMetadata: pick(spec.structuredMetadata) };
  if (spec.timestamp) {
    const v = text(extracted[spec.timestamp.source]);
    if (v !== undefined) entry.timestamp = parseTime(v, spec.timestamp.format);
  }
  return entry;
}
