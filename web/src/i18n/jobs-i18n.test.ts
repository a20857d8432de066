import { expect, test } from "bun:test";
import { jobs } from "../../../src/jobs/registry.ts";
import { en } from "./en.ts";
import { zh } from "./zh.ts";

test("every built-in job says what it does in both languages (the Jobs page shows it)", () => {
  for (const j of jobs) {
    expect({ job: j.name, en: `job.${j.name}` in en, zh: `job.${j.name}` in zh }).toEqual({ job: j.name, en: true, zh: true });
  }
});
