/**
 * Opens the HTML dashboard in headless Chromium (Debian's `chromium` package), without network, and
 * checks that the checklist and the trend chart are in the rendered DOM and that a screenshot is taken.
 * Without Chromium the test is skipped, except in CI (env CI set), where it fails: install it with
 * `apt-get install -y chromium`. CHROMIUM_BIN may point at another binary.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import { accessSync, constants, promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { GUIDE_CHECKLIST, evaluateChecklist } from "../../../report/checklist";
import { renderHtml } from "../../../report/html";
import { loadLocalReports, selectBenchmark } from "../../../report/load";
import { assess } from "../../../report/score";
import { DEMO_NOW, fixture } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");
/** Kept after the run for a person (or a CI artifact) to look at; out/ is git-ignored. */
const SCREENSHOT = path.join(ROOT, "out", "report-browser", "dashboard.png");

function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_BIN
    ? [process.env.CHROMIUM_BIN]
    : (process.env.PATH ?? "/usr/bin")
        .split(path.delimiter)
        .flatMap((dir) => ["chromium", "chromium-browser"].map((name) => path.join(dir, name)));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function chromium(bin: string, profile: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile(bin, flags, { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe("report/html in headless Chromium", function () {
  this.timeout(90_000);
  const bin = findChromium();
  let tmp: string;

  before(function () {
    if (bin === undefined) {
      if (process.env.CI) {
        throw new Error("Chromium not found: CI must install Debian's chromium package (apt-get install -y chromium)");
      }
      console.log("      (skipped: chromium not found; install Debian's chromium package to run the browser test)");
      this.skip();
    }
  });

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "report-browser-"));
  });
  after(async () => {
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it("renders the checklist and the trend chart, and takes a screenshot", async () => {
    const { benchmark, reports } = selectBenchmark(await loadLocalReports([fixture("cluster")]));
    const a = assess(reports, benchmark, { maxFail: 5, maxAgeDays: 8, now: DEMO_NOW });
    const htmlFile = path.join(tmp, "dashboard.html");
    await fs.writeFile(htmlFile, renderHtml(a, evaluateChecklist(a), { generatedAt: DEMO_NOW, htmlDir: tmp }));
    const url = pathToFileURL(htmlFile).href;
    await fs.mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await fs.rm(SCREENSHOT, { force: true });

    const [dom] = await Promise.all([
      chromium(bin as string, path.join(tmp, "profile-dom"), ["--dump-dom", url]),
      chromium(bin as string, path.join(tmp, "profile-shot"), [`--screenshot=${SCREENSHOT}`, "--window-size=1280,2000", url]),
    ]);

    const html = dom.stdout;
    assert.match(html, /<table id="checklist-table">/);
    const rows = html.match(/<tr class="checklist-row" data-status="(green|red|unknown)">/g) ?? [];
    assert.equal(rows.length, GUIDE_CHECKLIST.length);
    for (const item of GUIDE_CHECKLIST) {
      const control = item.control.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      assert.ok(html.includes(`<td>${control}</td>`), `checklist row "${item.control}" rendered`);
    }
    assert.match(html, /<svg id="trend-chart"[^>]*viewBox="0 0 960 320"/);
    assert.match(html, /<polyline class="line-automated"/);
    assert.match(html, /<polyline class="line-raw"/);
    assert.equal((html.match(/<rect class="bar-fail"/g) ?? []).length, a.trend.length);
    assert.match(html, /<line class="target-line"/);

    const png = await fs.readFile(SCREENSHOT);
    assert.ok(png.length > 10_000, `screenshot has ${png.length} bytes`);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
    assert.equal(png.readUInt32BE(16), 1280, "screenshot width");
    assert.equal(png.readUInt32BE(20), 2000, "screenshot height");
  });
});
