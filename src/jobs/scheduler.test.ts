/**
 * Protects the jobs table's promises (SPEC §2): a job run by hand or by the schedule leaves its state
 * (start, finish, status, error, duration, next run) in the database; a run that was due while the
 * process was down is detected at start, with a fake clock, and made up exactly once; a job never runs
 * twice at the same time; the admin endpoint runs a job and reports it.
 */
import { describe, expect, test } from "bun:test";
import { sessionsCleanup } from "../auth/cleanup.job.ts";
import { createSession } from "../auth/sessions.ts";
import { createUser } from "../auth/users.ts";
import { audit } from "../auth/audit.ts";
import { testApp, T0 } from "../../test/app-helpers.ts";
import type { Job } from "./job.ts";
import { Scheduler, UnknownJobError } from "./scheduler.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function counting(name: string, pattern = "0 3 * * *", fail = false) {
  const calls: number[] = [];
  const job: Job = {
    name,
    description: "test job",
    pattern,
    timezone: "UTC",
    run: async (ctx) => {
      calls.push(ctx.now());
      if (fail) throw new Error("the upstream API said no");
      return { summary: `run ${calls.length}` };
    },
  };
  return { job, calls };
}

describe("running a job", () => {
  test("persists start, finish, status, duration, summary, trigger and next run", async () => {
    const { job, calls } = counting("nightly");
    const t = testApp({ jobs: [job] });
    const state = await t.deps.scheduler.run("nightly");
    expect(calls).toEqual([T0]);
    expect(state).toMatchObject({ name: "nightly", lastStatus: "ok", lastStartedAt: T0, lastFinishedAt: T0, lastError: null, lastSummary: "run 1", lastTrigger: "manual", running: false, timezone: "UTC" });
    expect(state.lastDurationMs).toBeGreaterThanOrEqual(0);
    expect(state.nextRunAt).toBe(Date.parse("2026-01-01T03:00:00Z"));
    const row = await t.deps.kdb.selectFrom("jobs").selectAll().where("name", "=", "nightly").executeTakeFirstOrThrow();
    expect(row).toMatchObject({ last_status: "ok", last_started_at: T0, next_run_at: Date.parse("2026-01-01T03:00:00Z") });
  });

  test("a failing job records the error and does not throw", async () => {
    const { job } = counting("flaky", "0 3 * * *", true);
    const t = testApp({ jobs: [job] });
    const state = await t.deps.scheduler.run("flaky");
    expect(state).toMatchObject({ lastStatus: "error", lastError: "the upstream API said no" });
  });

  test("a second run while the first is busy joins it instead of running twice", async () => {
    let release: () => void = () => {};
    let runs = 0;
    const job: Job = { name: "slow", description: "", pattern: "@hourly", run: () => (runs++, new Promise<void>((r) => (release = r))) };
    const t = testApp({ jobs: [job] });
    const a = t.deps.scheduler.run("slow");
    const b = t.deps.scheduler.run("slow");
    await Bun.sleep(5);
    expect(t.deps.scheduler.isRunning("slow")).toBe(true);
    expect((await t.deps.scheduler.list())[0]?.lastStatus).toBe("running");
    release();
    await Promise.all([a, b]);
    expect(runs).toBe(1);
  });

  test("unknown jobs and bad patterns are refused", async () => {
    const t = testApp({ jobs: [] });
    await expect(t.deps.scheduler.run("nope")).rejects.toThrow(UnknownJobError);
    expect(() => new Scheduler([{ name: "x", description: "", pattern: "not a pattern", run: async () => {} }], t.deps, "UTC")).toThrow();
    const { job } = counting("dup");
    expect(() => new Scheduler([job, job], t.deps, "UTC")).toThrow(/two jobs/);
  });
});

describe("missed runs", () => {
  // The job runs daily at 03:00 UTC; the clock says 2026-01-03 10:00 UTC.
  const NOW = Date.parse("2026-01-03T10:00:00Z");
  test.each([
    ["last started the day before yesterday", Date.parse("2026-01-01T03:00:00Z"), null, true],
    ["last started today after 03:00", Date.parse("2026-01-03T03:00:01Z"), null, false],
    ["last started today exactly at 03:00", Date.parse("2026-01-03T03:00:00Z"), null, false],
    ["never started, next run still ahead", null, Date.parse("2026-01-04T03:00:00Z"), false],
    ["never started, next run already past", null, Date.parse("2026-01-03T03:00:00Z"), true],
    ["no state at all (fresh install)", undefined, undefined, false],
  ] as const)("%s → missed: %p", async (_name, lastStarted, nextRun, missed) => {
    const { job } = counting("nightly");
    const t = testApp({ jobs: [job] });
    t.clock.now = NOW;
    if (lastStarted !== undefined) {
      await t.deps.kdb
        .insertInto("jobs")
        .values({ name: "nightly", last_started_at: lastStarted, next_run_at: nextRun, last_finished_at: null, last_status: "ok", last_error: null, last_duration_ms: 1, last_summary: null, last_trigger: "schedule" })
        .execute();
    }
    expect(await t.deps.scheduler.detectMissed()).toEqual(missed ? ["nightly"] : []);
  });

  test("start() makes up a missed run once, marked as missed, then schedules", async () => {
    const { job, calls } = counting("nightly");
    const t = testApp({ jobs: [job] });
    t.clock.now = Date.parse("2026-01-01T05:00:00Z");
    await t.deps.scheduler.run("nightly", "schedule");
    t.clock.now = Date.parse("2026-01-04T10:00:00Z"); // down for three days

    const missed = await t.deps.scheduler.start();
    expect(missed).toEqual(["nightly"]);
    const state = await t.deps.scheduler.run("nightly"); // joins the make-up run in flight
    expect(calls).toHaveLength(2);
    expect(state.lastTrigger).toBe("missed");
    expect(state.nextRunAt).toBe(Date.parse("2026-01-05T03:00:00Z"));

    expect(await t.deps.scheduler.detectMissed()).toEqual([]);
    await t.deps.scheduler.stop();
  });
});

describe("sessions-cleanup", () => {
  test("deletes expired sessions and audit rows past retention, keeps the rest", async () => {
    const t = testApp();
    const u = await createUser(t.deps.kdb, { email: "a@example.com", password: "correct horse battery", role: "admin" }, T0);
    await createSession(t.deps.kdb, u.id, { ip: null, userAgent: null }, T0 - 30 * DAY); // long expired
    await createSession(t.deps.kdb, u.id, { ip: null, userAgent: null }, T0); // live
    await audit(t.deps.kdb, { actor: "test", action: "old" }, T0 - 400 * DAY);
    await audit(t.deps.kdb, { actor: "test", action: "recent" }, T0 - 10 * DAY);

    const r = await sessionsCleanup(t.deps);
    expect(r).toEqual({ summary: "deleted 1 expired sessions and 1 old audit entries", message: { key: "sessionsCleanup", params: { sessions: 1, audit: 1 } } });
    expect(await t.deps.kdb.selectFrom("sessions").select("user_id").execute()).toHaveLength(1);
    expect((await t.deps.kdb.selectFrom("audit_log").select("action").execute()).map((a) => a.action)).toEqual(["recent"]);
  });
});

describe("/api/jobs", () => {
  test("a run longer than `wait` answers 202 with the running state, then finishes", async () => {
    let release: () => void = () => {};
    const job: Job = { name: "slow", description: "", pattern: "@daily", run: () => new Promise<void>((r) => (release = r)) };
    const t = testApp({ jobs: [job] });
    const admin = await t.asToken("admin");
    const res = await t.call("POST", "/api/jobs/slow/run?wait=0", admin);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ name: "slow", running: true, lastStatus: "running" });
    release();
    expect(await t.deps.scheduler.run("slow")).toMatchObject({ running: false, lastStatus: "ok" });
  });

  test("lists jobs, runs one now as admin (audited), and follows the project time zone", async () => {
    const { job, calls } = counting("project-tz", "0 3 * * *");
    const projectJob: Job = { ...job, timezone: undefined };
    const t = testApp({ jobs: [projectJob] });
    const admin = await t.asUser("admin");

    const run = await t.call("POST", "/api/jobs/project-tz/run", { headers: admin.headers });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ name: "project-tz", lastStatus: "ok", lastTrigger: "manual", timezone: "Asia/Shanghai" });
    expect(calls).toHaveLength(1);
    expect((await t.call("POST", "/api/jobs/nope/run", { headers: admin.headers })).status).toBe(404);

    await t.deps.scheduler.start();
    const patched = await t.call("PATCH", "/api/settings", { headers: admin.headers, json: { timezone: "America/New_York" } });
    expect(patched.status).toBe(200);
    const list = (await (await t.call("GET", "/api/jobs", { headers: admin.headers })).json()) as { results: { timezone: string; nextRunAt: number }[] };
    expect(list.results[0]?.timezone).toBe("America/New_York");
    expect(list.results[0]?.nextRunAt).toBe(Date.parse("2026-01-01T08:00:00Z")); // 03:00 in New York
    await t.deps.scheduler.stop();

    const actions = (await t.deps.kdb.selectFrom("audit_log").select("action").execute()).map((a) => a.action);
    expect(actions).toEqual(["job.run", "settings.updated"]);
  });
});
