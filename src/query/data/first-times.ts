/**
 * Lifetime-first event times (retention `first_time`, lifecycle's first-seen), kept per identity and
 * folded in segment by segment as compaction produces them. A minimum does not mind rows seen twice
 * — a merged segment re-delivers rows already folded, the tail is refolded on every use — so only a
 * deletion (the store's epoch) starts a selector over. Per identity, not per person: merges re-point
 * identities, and the per-person minimum is taken at query time over the current map.
 */
import { DAY_MS } from "../../store/segment.ts";
import { leaves, type Filter } from "../filter.ts";
import { ChunkRows, type Env } from "./columns.ts";
import { chunksOf, type Compiled } from "./scan.ts";

interface Entry {
  epoch: number;
  times: Float64Array;
  folded: Set<number>;
}

/** How many selectors' first times are kept (8 MB each per million identities). */
const KEEP = 6;

/** FirstTimes caches lifetime-first times per selector for one reader. */
export class FirstTimes {
  readonly #entries = new Map<string, Entry>();

  /**
   * perPerson returns, per person id, the time of their first row matching `sel` over all stored
   * events (NaN when none). `key` identifies the selector (its JSON); person-property filters make
   * the answer depend on the person columns' version too.
   */
  perPerson(env: Env, key: string, where: Filter | undefined, sel: Compiled, persons: number): Float64Array {
    const personal = leaves(where).some((l) => l.type === "person");
    const full = personal ? `${key}\u0000${env.people.version}` : key;
    let e = this.#entries.get(full);
    if (e) this.#entries.delete(full); // most recently used last
    if (!e || e.epoch !== env.reader.epoch) e = { epoch: env.reader.epoch, times: new Float64Array(0), folded: new Set() };
    this.#entries.set(full, e);
    while (this.#entries.size > KEEP) this.#entries.delete(this.#entries.keys().next().value!);
    fold(env, e, sel);
    const out = new Float64Array(persons).fill(Infinity);
    const pm = env.reader.identityToPerson;
    const times = e.times;
    for (let id = 0; id < times.length; id++) {
      const t = times[id]!;
      if (t === Infinity) continue;
      const p = id < pm.length ? pm[id]! : -1;
      if (p >= 0 && p < persons && t < out[p]!) out[p] = t;
    }
    for (let p = 0; p < persons; p++) if (out[p] === Infinity) out[p] = NaN;
    return out;
  }
}

function fold(env: Env, e: Entry, sel: Compiled): void {
  const live = env.reader.segments;
  const days = new Set<number>();
  for (const seg of live.values()) if (!e.folded.has(seg.id)) days.add(seg.day);
  for (const r of env.reader.tailRows) days.add(Math.floor(r.ts / DAY_MS));
  const pm = env.reader.identityToPerson;
  for (const day of days) {
    for (const c of chunksOf(env.reader, day * DAY_MS, (day + 1) * DAY_MS, sel.events)) {
      if (c.segment !== 0 && e.folded.has(c.segment)) continue;
      const m = sel.filter ? sel.filter(new ChunkRows(c, pm)) : true;
      if (m === false) continue;
      const { n, ts, identity, tsBase } = c;
      let times = e.times;
      for (let i = 0; i < n; i++) {
        if (m !== true && !m[i]) continue;
        const id = identity[i]!;
        if (id >= times.length) {
          const grown = new Float64Array(Math.max(id + 1, times.length * 2, 1024)).fill(Infinity);
          grown.set(times);
          e.times = times = grown;
        }
        const t = tsBase + ts[i]!;
        if (t < times[id]!) times[id] = t;
      }
    }
  }
  for (const id of live.keys()) e.folded.add(id);
  for (const id of e.folded) if (!live.has(id)) e.folded.delete(id);
}
