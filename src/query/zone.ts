/**
 * IANA time zones with nothing but Intl. A `Zone` learns the zone's UTC offset transitions once per
 * span — sampling Intl every 6 h, then bisecting each change to the second — so every later
 * question (the wall clock of an instant, the instant of a wall clock) is arithmetic over a short
 * table. Zones are shared per name and extend their table on demand.
 */
import { isTimeZone } from "../config.ts";
import { QueryError } from "./errors.ts";

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
const SAMPLE = 6 * HOUR; // no zone has two offset changes within 6 h
const PAD = 400 * DAY;


/** Zone answers wall-clock questions for one IANA zone from a cached table of offset transitions. */
export class Zone {
  private lo = 0;
  private hi = 0;
  private at: number[] = []; // at[i]: first instant of the i-th constant-offset span (at[0] = lo)
  private off: number[] = []; // offset (wall − UTC, ms) during [at[i], at[i+1])
  private readonly fmt: Intl.DateTimeFormat;

  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: name, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    });
  }

  /** offsetAt returns wall − UTC in ms at instant t. */
  offsetAt(t: number): number {
    if (!(t >= this.lo && t < this.hi)) this.cover(t - PAD, t + PAD);
    const at = this.at;
    let a = 0;
    let b = at.length - 1;
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (at[m]! <= t) a = m;
      else b = m - 1;
    }
    return this.off[a]!;
  }

  /** wall returns the local wall clock of instant t. */
  wall(t: number): number {
    return t + this.offsetAt(t);
  }

  /**
   * instant returns the earliest instant whose wall clock is w; a wall time skipped by a DST gap
   * maps to the transition instant (the first instant at or after it on the wall).
   */
  instant(w: number): number {
    const oA = this.offsetAt(w - DAY);
    const oB = this.offsetAt(w + DAY);
    const tA = w - oA;
    const tB = w - oB;
    const okA = this.offsetAt(tA) === oA;
    const okB = this.offsetAt(tB) === oB;
    if (okA && okB) return Math.min(tA, tB);
    if (okA) return tA;
    if (okB) return tB;
    return this.spanStart(Math.max(tA, tB));
  }

  /** cover makes offsets for [a, b) arithmetic; callers covering a query's range up front avoid re-scans. */
  cover(a: number, b: number): void {
    if (this.at.length === 0) {
      [this.at, this.off] = this.scan(a, b);
      [this.lo, this.hi] = [a, b];
      return;
    }
    if (a < this.lo) {
      const [at, off] = this.scan(a, this.lo);
      this.merge(at, off, this.at, this.off);
      this.lo = a;
    }
    if (b > this.hi) {
      const [at, off] = this.scan(this.hi, b);
      this.merge(this.at, this.off, at, off);
      this.hi = b;
    }
  }

  private spanStart(t: number): number {
    this.offsetAt(t);
    let i = this.at.length - 1;
    while (i > 0 && this.at[i]! > t) i--;
    return this.at[i]!;
  }

  private merge(at1: number[], off1: number[], at2: number[], off2: number[]): void {
    const at = at1.slice();
    const off = off1.slice();
    for (let i = 0; i < at2.length; i++) {
      if (off[off.length - 1] === off2[i]) continue;
      at.push(at2[i]!);
      off.push(off2[i]!);
    }
    this.at = at;
    this.off = off;
  }

  private scan(a: number, b: number): [number[], number[]] {
    const at = [a];
    const off = [this.rawOffset(a)];
    let prevT = a;
    let prevO = off[0]!;
    for (let t = Math.min(a + SAMPLE, b); ; t = Math.min(t + SAMPLE, b)) {
      const o = this.rawOffset(t);
      if (o !== prevO) {
        let lo = prevT; // offset prevO at lo, o at hi; bisect to the second
        let hi = t;
        while (hi - lo > 1000) {
          const mid = Math.floor((lo + hi) / 2000) * 1000;
          if (mid <= lo) break;
          if (this.rawOffset(mid) === prevO) lo = mid;
          else hi = mid;
        }
        at.push(hi);
        off.push(o);
        prevO = o;
      }
      prevT = t;
      if (t >= b) break;
    }
    return [at, off];
  }

  private rawOffset(t: number): number {
    const sec = Math.floor(t / 1000) * 1000;
    const f: Record<string, number> = {};
    for (const p of this.fmt.formatToParts(sec)) if (p.type !== "literal") f[p.type] = Number(p.value);
    const hour = f.hour === 24 ? 0 : f.hour!;
    return Date.UTC(f.year!, f.month! - 1, f.day!, hour, f.minute!, f.second!) - sec;
  }
}

const zones = new Map<string, Zone>();

/** zone returns the shared, lazily filled Zone for an IANA name. */
export function zone(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    if (!isTimeZone(name)) throw new QueryError(`unknown time zone ${name}`);
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}
