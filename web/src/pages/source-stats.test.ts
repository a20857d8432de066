/** Protects the source page's 24-hour view: minutes fold into the right hour, oldest first, and older minutes drop out. */
import { expect, test } from "bun:test";
import { hourly } from "./source-stats.ts";

test("per-minute counters fold into 24 hourly buckets ending now", () => {
  const now = Date.parse("2024-05-01T12:30:00Z");
  const minute = (iso: string) => Math.floor(Date.parse(iso) / 60_000);
  const h = hourly([
    { minute: minute("2024-05-01T12:05:00Z"), received: 5, accepted: 4, dropped: { invalid: 1 } },
    { minute: minute("2024-05-01T12:10:00Z"), received: 2, accepted: 1, dropped: { duplicate: 1 } },
    { minute: minute("2024-04-30T13:59:00Z"), received: 3, accepted: 3, dropped: {} },
    { minute: minute("2024-04-30T12:59:00Z"), received: 9, accepted: 9, dropped: {} },
  ], now);
  expect(h).toHaveLength(24);
  expect(h[23]).toEqual({ hour: Math.floor(now / 3_600_000), received: 7, stored: 5, rejected: 2 });
  expect(h[0]).toMatchObject({ received: 3, stored: 3 });
  expect(h.reduce((s, x) => s + x.received, 0)).toBe(10);
});
