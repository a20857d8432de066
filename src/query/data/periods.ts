/**
 * Activity by period for retention, lifecycle and stickiness. Those kernels only ask, per person,
 * in which periods they did the start / return / counted event — so instead of sorting millions of
 * rows by person, each row sets one bit in a per-person bitset of periods, and one row per active
 * (person, period) is emitted in person order with ts = the period's start. No sort, and far fewer
 * rows than events for the kernel. Past a memory budget (hourly periods over long ranges) the
 * caller falls back to scanning and grouping raw rows.
 */
import { popcount } from "../stats.ts";
import type { Rows } from "../stream.ts";
import type { Buckets } from "../time.ts";
import { ChunkRows, type Env } from "./columns.ts";
import { chunksOf, type Compiled } from "./scan.ts";

/** BITSET_BUDGET bounds the bitsets (persons × periods × selectors bits) of one query. */
const BITSET_BUDGET = 96 * 1024 * 1024;

/** fits tells whether period bitsets for these selectors stay within the budget. */
export function periodRowsFit(selectors: number, periods: Buckets, persons: number): boolean {
  return persons * Math.ceil(periods.length / 32) * 4 * selectors <= BITSET_BUDGET;
}

/** activity fills one bitset (persons × words) with the periods in which each person matched `sel`. */
function activity(env: Env, sel: Compiled, periods: Buckets, persons: number, words: number): Uint32Array {
  const bits = new Uint32Array(persons * words);
  const pm = env.reader.identityToPerson;
  const pmLen = pm.length;
  const { lo, hi, width } = periods;
  const s0 = periods.starts[0]!;
  const pass = sel.personPass;
  for (const c of chunksOf(env.reader, lo, hi, sel.events)) {
    const m = pass || !sel.filter ? true : sel.filter(new ChunkRows(c, pm));
    if (m === false) continue;
    const { n, ts, identity, tsBase } = c;
    for (let i = 0; i < n; i++) {
      if (m !== true && !m[i]) continue;
      const t = tsBase + ts[i]!;
      if (t < lo || t >= hi) continue;
      const id = identity[i]!;
      const p = id < pmLen ? pm[id]! : -1;
      if (p < 0 || (pass && !pass[p])) continue;
      const k = width > 0 ? Math.floor((t - s0) / width) : periods.indexOf(t);
      bits[p * words + (k >>> 5)]! |= 1 << (k & 31);
    }
  }
  return bits;
}

/**
 * periodRows returns, in person order, one row per (person, period) in which the person matched a
 * selector (bit s = selectors[s], the same object twice is read once), restricted to persons for
 * which `keep` says yes.
 */
export function periodRows(env: Env, selectors: readonly Compiled[], periods: Buckets, persons: number, keep?: (p: number) => boolean): Rows {
  const words = Math.ceil(periods.length / 32);
  const sets = selectors.map((s, k) => {
    const same = selectors.indexOf(s);
    return same < k ? null : activity(env, s, periods, persons, words);
  });
  const setOf = selectors.map((s) => sets[selectors.indexOf(s)]!);
  const S = setOf.length;
  const word = (p: number, w: number) => {
    let x = 0;
    for (let s = 0; s < S; s++) x |= setOf[s]![p * words + w]!;
    return x;
  };
  let n = 0;
  for (let p = 0; p < persons; p++) {
    if (keep && !keep(p)) continue;
    for (let w = 0; w < words; w++) n += popcount(word(p, w));
  }
  const person = new Int32Array(n);
  const ts = new Float64Array(n);
  const match = new Uint32Array(n);
  const starts = periods.starts;
  let r = 0;
  for (let p = 0; p < persons && r < n; p++) {
    if (keep && !keep(p)) continue;
    for (let w = 0; w < words; w++) {
      let x = word(p, w);
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        x &= x - 1;
        const k = w * 32 + b;
        let m = 0;
        for (let s = 0; s < S; s++) if (setOf[s]![p * words + w]! & (1 << b)) m |= 1 << s;
        person[r] = p;
        ts[r] = starts[k]!;
        match[r++] = m;
      }
    }
  }
  return { n, persons, person, ts, match };
}
