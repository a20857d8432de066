/**
 * Protects the nightly run's idempotency and resumability: one run per local day, a finished day is
 * not run again, an unfinished one resumes with its original asOf and plan and skips finished steps.
 */
import { expect, test } from "bun:test";
import { featureDb } from "./feature-db.fixture.ts";
import { beginStep, completeStep, doneSteps, failStep, finishRun, latestRun, openRun, stepLog } from "./runs.repo.ts";

test("a nightly run is unique per day, resumable, and done once", async () => {
  const { k, s } = featureDb();
  const opened = await openRun(s, { kind: "nightly", day: "2024-03-15", asOf: 100, plan: ["tag:rfm", "audience:1"], now: 1 });
  expect(opened.state).toBe("new");
  const run = opened.run;
  await beginStep(k, run.id, "tag:rfm", 2);
  await completeStep(s, run.id, "tag:rfm", { coverage: 3 }, 3);
  await beginStep(k, run.id, "audience:1", 4);
  // The process dies here. The rerun (even at another asOf, with another plan) resumes the same run.
  const again = await openRun(s, { kind: "nightly", day: "2024-03-15", asOf: 999, plan: ["audience:2"], now: 10 });
  expect(again.state).toBe("resumed");
  expect(again.run).toMatchObject({ id: run.id, asOf: 100, plan: ["tag:rfm", "audience:1"], status: "running" });
  expect(await doneSteps(k, run.id)).toEqual(new Set(["tag:rfm"]));

  await beginStep(k, run.id, "audience:1", 11);
  await failStep(k, run.id, "audience:1", "boom", 12);
  await finishRun(k, run.id, "failed", "1 step failed", 13);
  expect((await openRun(s, { kind: "nightly", day: "2024-03-15", asOf: 100, plan: [], now: 20 })).state).toBe("resumed");
  await beginStep(k, run.id, "audience:1", 21);
  await completeStep(s, run.id, "audience:1", { size: 2 }, 22);
  await finishRun(k, run.id, "done", null, 23);

  expect((await openRun(s, { kind: "nightly", day: "2024-03-15", asOf: 100, plan: [], now: 30 })).state).toBe("done");
  expect((await openRun(s, { kind: "nightly", day: "2024-03-16", asOf: 200, plan: [], now: 31 })).state).toBe("new");
  expect(await stepLog(k, run.id)).toEqual([
    { step: "tag:rfm", status: "done", startedAt: 2, finishedAt: 3, detail: { coverage: 3 }, error: null },
    { step: "audience:1", status: "done", startedAt: 21, finishedAt: 22, detail: { size: 2 }, error: null },
  ]);
  expect((await latestRun(k, "nightly"))?.day).toBe("2024-03-16");
});

test("manual runs are never deduplicated", async () => {
  const { k, s } = featureDb();
  const a = await openRun(s, { kind: "manual", day: "2024-03-15", asOf: 1, plan: ["audience:1"], now: 1 });
  const b = await openRun(s, { kind: "manual", day: "2024-03-15", asOf: 2, plan: ["audience:1"], now: 2 });
  expect([a.state, b.state]).toEqual(["new", "new"]);
  expect(a.run.id).not.toBe(b.run.id);
});
