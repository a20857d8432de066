/**
 * mergeSegments merges segments of one UTC day column by column: each input is already sorted by
 * (event, identity, ts), so a k-way merge yields the output order, base columns are gathered, and
 * property codes are remapped into one dictionary per key. No row objects are built, and only the columns
 * that order the rows are decoded together: merging holds ~25 bytes per row of typed arrays at its peak
 * (~45 with every base column of the inputs and the output at once; rebuilding from row objects held ~400).
 */
import { edenGC } from "bun:jsc";
import { codesFor, decodeColumn, encodeColumn, encodeJson, type IntArray } from "./codec.ts";
import { baseColumn, COL, DAY_MS, decodeProp, dictKey, DirectoryBuilder, type BuiltSegment, type ColumnSource, type Directory } from "./segment.ts";

/** SegmentInput is a segment as stored: its directory and its column blobs by name. */
export interface SegmentInput {
  readonly directory: Directory;
  readonly columns: ColumnSource;
}

/** Order is what the k-way merge compares: a segment's event, identity and ts per row. */
interface Order {
  readonly n: number;
  readonly event: Uint32Array;
  readonly ts: Uint32Array;
  readonly identity: Uint32Array;
}

/** column decodes one column of an input. */
function column(input: SegmentInput, name: string): IntArray {
  const blob = input.columns.get(name);
  if (!blob) throw new Error(`segment column ${name} is missing`);
  return decodeColumn(blob) as IntArray;
}

/** order decodes an input's ts and identity and spells out each row's event from the directory. */
function order(input: SegmentInput): Order {
  const ts = column(input, COL.ts) as Uint32Array;
  const event = new Uint32Array(ts.length);
  for (const [ev, [start, count]] of Object.entries(input.directory.events)) event.fill(Number(ev), start, start + count);
  return { n: ts.length, event, ts, identity: column(input, COL.identity) as Uint32Array };
}

/** less orders row a of x before row b of y by (event, identity, ts). */
function less(x: Order, a: number, y: Order, b: number): boolean {
  if (x.event[a] !== y.event[b]) return x.event[a]! < y.event[b]!;
  if (x.identity[a] !== y.identity[b]) return x.identity[a]! < y.identity[b]!;
  return x.ts[a]! < y.ts[b]!;
}

/** place puts the rows in merged order into the directory and returns their ts and identity columns. */
function place(parts: readonly Order[], fromPart: Uint8Array, fromRow: Uint32Array, dir: DirectoryBuilder): [string, Uint8Array][] {
  const n = fromRow.length;
  const ts = new Uint32Array(n);
  const identity = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const p = parts[fromPart[i]!]!;
    const r = fromRow[i]!;
    dir.place(i, p.event[r]!, p.ts[r]!);
    ts[i] = p.ts[r]!;
    identity[i] = p.identity[r]!;
  }
  return [baseColumn("ts", ts), baseColumn("identity", identity)];
}

/** mergeSegments merges `inputs` (all of UTC day `day`) into one segment. */
export function mergeSegments(day: number, inputs: readonly SegmentInput[]): BuiltSegment {
  const parts = inputs.map(order);
  const n = parts.reduce((s, p) => s + p.n, 0);
  // k is small (a handful of segments): pick the smallest head by a linear scan.
  const fromPart = new Uint8Array(n);
  const fromRow = new Uint32Array(n);
  const heads = parts.map(() => 0);
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let k = 0; k < parts.length; k++) {
      if (heads[k]! >= parts[k]!.n) continue;
      if (best === -1 || less(parts[k]!, heads[k]!, parts[best]!, heads[best]!)) best = k;
    }
    fromPart[i] = best;
    fromRow[i] = heads[best]!++;
  }

  const dir = new DirectoryBuilder();
  const columns = place(parts.splice(0), fromPart, fromRow, dir);
  edenGC();
  for (const key of ["source", "msgHi", "msgLo"] as const) {
    const from = inputs.map((input) => column(input, COL[key]));
    const out = key === "source" ? new Uint16Array(n) : new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = from[fromPart[i]!]![fromRow[i]!]!;
    columns.push(baseColumn(key, out));
    edenGC();
  }
  const events = dir.events;

  const keys = new Set<string>();
  for (const input of inputs) for (const name of input.columns.keys()) if (name.startsWith("p:")) keys.add(name.slice(2));
  for (const key of keys) {
    const values: unknown[] = [];
    const index = new Map<string, number>();
    // remaps[k][code] is input k's code in the merged dictionary (0 stays absent).
    const remaps = inputs.map((input) => {
      const codes = input.columns.get(`p:${key}`);
      const dict = input.columns.get(`d:${key}`);
      if (!codes || !dict) return null;
      const prop = decodeProp(codes, dict);
      const remap = new Uint32Array(prop.dict.length + 1);
      prop.dict.forEach((v, c) => {
        const k = dictKey(v);
        let code = index.get(k);
        if (code === undefined) {
          values.push(v);
          index.set(k, (code = values.length));
        }
        remap[c + 1] = code;
      });
      return { codes: prop.codes, remap };
    });
    const out = codesFor(values.length, n);
    for (let i = 0; i < n; i++) {
      const m = remaps[fromPart[i]!];
      if (m) out[i] = m.remap[m.codes[fromRow[i]!]!]!;
    }
    for (const r of Object.values(events)) {
      for (let i = r[0]; i < r[0] + r[1]; i++) {
        if (out[i] !== 0) {
          r[3].push(key);
          break;
        }
      }
    }
    columns.push([`p:${key}`, encodeColumn(out)], [`d:${key}`, encodeJson(values)]);
    // Each key decodes every input's codes and dictionary: collect them before the next key's.
    edenGC();
  }
  const base = day * DAY_MS;
  return { day, rows: n, minTs: base + dir.minTs, maxTs: base + dir.maxTs, directory: { events }, columns };
}
