/**
 * cronText reads the common shapes of a five-field cron pattern (what the jobs and audience schedules use)
 * as words to show beside it: every minute, hourly at :MM, daily at HH:MM, weekly on a day at HH:MM.
 * Anything else is null, and the page shows the pattern alone.
 */
export type CronText =
  | { kind: "everyMinute" }
  | { kind: "hourly"; minute: string }
  | { kind: "daily"; time: string }
  | { kind: "weekly"; weekday: number; time: string };

const NUM = /^\d{1,2}$/;

export function cronText(pattern: string): CronText | null {
  const f = pattern.trim().split(/\s+/);
  if (f.length !== 5) return null;
  const [m, h, dom, mon, dow] = f as [string, string, string, string, string];
  if (dom !== "*" || mon !== "*") return null;
  if (m === "*" && h === "*" && dow === "*") return { kind: "everyMinute" };
  if (!NUM.test(m) || Number(m) > 59) return null;
  const minute = m.padStart(2, "0");
  if (h === "*") return dow === "*" ? { kind: "hourly", minute } : null;
  if (!NUM.test(h) || Number(h) > 23) return null;
  const time = `${h.padStart(2, "0")}:${minute}`;
  if (dow === "*") return { kind: "daily", time };
  if (!/^[0-7]$/.test(dow)) return null;
  return { kind: "weekly", weekday: Number(dow) % 7, time };
}
