/** Protects the demo data's shape where a user would notice: nothing happens after the moment it is loaded. */
import { expect, test } from "bun:test";
import { generateDemo } from "./generate.ts";

test("no demo event is in the future: a cart or order that would follow after now has not happened", () => {
  const now = Date.parse("2026-11-27T20:55:00Z");
  let n = 0;
  let latest = 0;
  for (const batch of generateDemo(now, { persons: 3000 })) {
    for (const m of batch) {
      latest = Math.max(latest, Date.parse(m.timestamp));
      n++;
    }
  }
  expect(n).toBeGreaterThan(10_000);
  expect(latest).toBeLessThanOrEqual(now);
});
