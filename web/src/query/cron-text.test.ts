import { expect, test } from "bun:test";
import { cronText } from "./cron-text.ts";

test("the common cron shapes read as words; anything else stays a pattern", () => {
  expect(cronText("* * * * *")).toEqual({ kind: "everyMinute" });
  expect(cronText("17 * * * *")).toEqual({ kind: "hourly", minute: "17" });
  expect(cronText("5 * * * *")).toEqual({ kind: "hourly", minute: "05" });
  expect(cronText("41 4 * * *")).toEqual({ kind: "daily", time: "04:41" });
  expect(cronText("0 3 * * *")).toEqual({ kind: "daily", time: "03:00" });
  expect(cronText("0 2 * * 1")).toEqual({ kind: "weekly", weekday: 1, time: "02:00" });
  expect(cronText("0 2 * * 7")).toEqual({ kind: "weekly", weekday: 0, time: "02:00" });
  for (const other of ["*/5 * * * *", "0 3 1 * *", "0 2 * * 1-5", "60 * * * *", "0 24 * * *", "@daily", "1 2 3"]) expect(cronText(other)).toBeNull();
});
