/** The source page's 24-hour view of the ingest counters, as pure arithmetic. */
import type { MinuteStats } from "../types.ts";

/** hourly folds per-minute counters into the 24 hourly buckets ending now (oldest first). */
export function hourly(minutes: readonly MinuteStats[], nowMs: number): { hour: number; stored: number; rejected: number; received: number }[] {
  const lastHour = Math.floor(nowMs / 3_600_000);
  const out = Array.from({ length: 24 }, (_, i) => ({ hour: lastHour - 23 + i, stored: 0, rejected: 0, received: 0 }));
  for (const m of minutes) {
    const b = out[Math.floor(m.minute / 60) - (lastHour - 23)];
    if (!b) continue;
    b.received += m.received;
    b.stored += m.accepted;
    b.rejected += Object.values(m.dropped).reduce((s, n) => s + (n ?? 0), 0);
  }
  return out;
}
