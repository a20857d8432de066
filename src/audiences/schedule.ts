/**
 * Pack schedules. `schedule: null` = recomputed by the nightly T+1 run (the default); a cron pattern
 * = recomputed on that cron in the pack's time zone by the scheduler instead; a paused pack is only
 * recomputed on demand. croner does the calendar work (DST gaps run at the first valid time).
 */
import { Cron } from "croner";
import { isTimeZone } from "../config.ts";

/** scheduleError explains why a cron pattern or time zone is unusable, or returns null. */
export function scheduleError(pattern: string, timezone: string): string | null {
  if (!isTimeZone(timezone)) return `unknown time zone ${JSON.stringify(timezone)}`;
  try {
    new Cron(pattern, { paused: true, timezone }).stop();
    return null;
  } catch (e) {
    return `invalid schedule: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** nextRunAt returns the first run of `pattern` strictly after `after` (epoch ms), or null. */
export function nextRunAt(pattern: string, timezone: string, after: number): number | null {
  const job = new Cron(pattern, { paused: true, timezone });
  const next = job.nextRun(new Date(after));
  job.stop();
  return next ? next.getTime() : null;
}
