import assert from "node:assert/strict";
import { cronScheduleProblem } from "../../../components/kubebench/cron";

describe("CronJob schedules", () => {
  for (const ok of ["0 2 * * 0", "*/15 * * * *", "0 2 * * SUN", "30 3 1,15 * *", "0 0 ? * MON-FRI", "0 4 * JAN-MAR 1", "5-10/2 1 * * *", "@weekly", "@daily", "0 2 * * 6"]) {
    it(`accepts ${JSON.stringify(ok)}`, () => assert.equal(cronScheduleProblem(ok), undefined));
  }
  const bad: Array<[string, RegExp]> = [
    ["0 2 * *", /has 4 fields/],
    ["0 2 * * 0 2026", /has 6 fields/],
    ["60 2 * * 0", /minute field "60": 60 is outside 0-59/],
    ["0 2 32 * *", /day of month field "32"/],
    ["0 2 * 13 *", /month field "13"/],
    ["0 2 * * 7", /day of week field "7": 7 is outside 0-6/],
    ["0 2 * * FUNDAY", /"FUNDAY" is not a number or a name like SUN/],
    ["0 */0 * * *", /step "0" must be a whole number of at least 1/],
    ["0 5-2 * * *", /runs backwards/],
    ["? 2 * * *", /'\?' is only allowed in the day-of-month and day-of-week fields/],
    ["0 2,,3 * * *", /empty list item/],
    ["@every 168h", /@every is not supported/],
    ["@fortnightly", /unknown macro/],
    ["CRON_TZ=UTC 0 2 * * 0", /timeZone/],
  ];
  for (const [expr, why] of bad) {
    it(`rejects ${JSON.stringify(expr)}`, () => assert.match(cronScheduleProblem(expr) ?? "(accepted)", why));
  }
});
