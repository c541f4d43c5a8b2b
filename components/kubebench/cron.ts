/**
 * Cron schedules as the CronJob controller accepts them: robfig/cron's standard parser (five fields:
 * minute hour day-of-month month day-of-week, with `*`, `?` in the day fields, lists, ranges, steps and
 * month/day names) or one of the @-macros. Kubernetes (1.27+) rejects `TZ=`/`CRON_TZ=` in the schedule
 * (use spec.timeZone). `@every` is refused here too: a weekly scan reads better as a cron line.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** `?` means "any" (day fields only). */
  question?: boolean;
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31, question: true },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], question: true },
];

const MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

function value(field: Field, text: string): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : `${text} is outside ${field.min}-${field.max}`;
  }
  const i = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (i >= 0) return field.min + i;
  return `${JSON.stringify(text)} is not a number${field.names ? " or a name like " + field.names[0] : ""}`;
}

/** Problem with one field, or undefined when it is valid. */
function checkField(field: Field, text: string): string | undefined {
  for (const item of text.split(",")) {
    if (item === "") return "has an empty list item";
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) return `${JSON.stringify(item)} has more than one '/'`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return `step ${JSON.stringify(step)} must be a whole number of at least 1`;
    if (range === "*" || (range === "?" && field.question)) continue;
    if (range === "?") return "'?' is only allowed in the day-of-month and day-of-week fields";
    const [lo, hi, more] = range.split("-");
    if (more !== undefined) return `${JSON.stringify(range)} is not a range like 1-5`;
    const a = value(field, lo);
    if (typeof a === "string") return a;
    if (hi !== undefined) {
      const b = value(field, hi);
      if (typeof b === "string") return b;
      if (b < a) return `range ${JSON.stringify(range)} runs backwards`;
    }
  }
  return undefined;
}

/** Why `schedule` is not a valid CronJob schedule, or undefined when it is. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return "a time zone in the schedule is rejected by Kubernetes; set kubeBench.timeZone instead";
  if (s.startsWith("@")) {
    if (s.startsWith("@every")) return "@every is not supported here; write five fields such as \"0 2 * * 0\"";
    return MACROS.includes(s) ? undefined : `unknown macro ${JSON.stringify(s)}; use one of ${MACROS.join(", ")} or five fields`;
  }
  const parts = s.split(/\s+/);
  if (parts.length !== 5) {
    return `has ${parts.length} field${parts.length === 1 ? "" : "s"}; a schedule has five: minute hour day-of-month month day-of-week, e.g. "0 2 * * 0" (Sundays 02:00)`;
  }
  for (let i = 0; i < FIELDS.length; i++) {
    const p = checkField(FIELDS[i], parts[i]);
    if (p) return `${FIELDS[i].name} field ${JSON.stringify(parts[i])}: ${p}`;
  }
  return undefined;
}
