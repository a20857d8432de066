import { expect, test } from "bun:test";
import { testApp } from "../../../test/app-helpers.ts";
import { jobs } from "../../../src/jobs/registry.ts";
import { en } from "./en.ts";
import { zh } from "./zh.ts";

test("every built-in job says what it does in both languages (the Jobs page shows it)", () => {
  for (const j of jobs) {
    expect({ job: j.name, en: `job.${j.name}` in en, zh: `job.${j.name}` in zh }).toEqual({ job: j.name, en: true, zh: true });
  }
});

test("every built-in job's result is said in both languages, every placeholder filled by the run's numbers", async () => {
  const t = testApp();
  for (const j of jobs) {
    const state = await t.deps.scheduler.run(j.name, "manual");
    expect({ job: j.name, status: state.lastStatus, message: state.lastMessage !== null }).toEqual({ job: j.name, status: "ok", message: true });
    const key = `jobResult.${state.lastMessage!.key}`;
    for (const dict of [en, zh] as Record<string, string>[]) {
      expect({ key, known: key in dict }).toEqual({ key, known: true });
      const placeholders = [...dict[key]!.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(placeholders.filter((p) => !(p! in state.lastMessage!.params))).toEqual([]);
    }
  }
});
