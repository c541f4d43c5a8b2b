import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { writeDemoCluster } from "../../fixtures/kube-bench/generate";
import { fixture } from "./helpers";

describe("report fixtures", () => {
  it("the committed demo cluster is what generate.ts writes from the current catalog", async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "report-fixtures-"));
    try {
      const written = await writeDemoCluster(tmp);
      for (const file of written) {
        const rel = path.relative(tmp, file);
        const committed = await fs.readFile(fixture("cluster", rel), "utf8").catch(() => "(missing)");
        assert.ok(
          committed === (await fs.readFile(file, "utf8")),
          `test/fixtures/kube-bench/cluster/${rel} is out of date: run npx ts-node --transpile-only test/fixtures/kube-bench/generate.ts`,
        );
      }
      const committedCount = (await fs.readdir(fixture("cluster"), { recursive: true })).filter((f) => String(f).endsWith(".json")).length;
      assert.equal(committedCount, written.length, "no stray files under test/fixtures/kube-bench/cluster");
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});
