/**
 * 0100_tail_packs: a tail table holds one row per group commit instead of one per event (src/store/tail-pack.ts
 * says why and how a pack is laid out). Events already in the tail are packed in seq order, 5,000 per pack.
 */
import type { Database } from "bun:sqlite";
import { PACK_COLUMNS, PackBuilder } from "../src/store/tail-pack.ts";

export const name = "0100_tail_packs";

interface OldRow {
  seq: number;
  ts: number;
  event: number;
  identity: number;
  source: number;
  msg_hi: number;
  msg_lo: number;
  received_at: number;
  props: string;
}

export function up(db: Database): void {
  for (const t of [0, 1]) {
    db.exec(`CREATE TABLE events_tail_${t}_packs (
      seq INTEGER PRIMARY KEY,
      n INTEGER NOT NULL,
      cols BLOB NOT NULL,
      props TEXT NOT NULL
    ) STRICT`);
    const insert = db.query(`INSERT INTO events_tail_${t}_packs ${PACK_COLUMNS} VALUES (?, ?, ?, ?)`);
    const b = new PackBuilder();
    const flush = () => {
      if (b.length === 0) return;
      const p = b.take();
      insert.run(p.seq, p.n, p.cols, p.props);
    };
    for (const r of db.query<OldRow, []>(`SELECT * FROM events_tail_${t} ORDER BY seq`).iterate()) {
      b.add(r.seq, r.ts, r.event, r.identity, r.source, r.msg_hi >>> 0, r.msg_lo >>> 0, r.received_at, JSON.parse(r.props));
      if (b.length === 5000) flush();
    }
    flush();
    db.exec(`DROP TABLE events_tail_${t}; ALTER TABLE events_tail_${t}_packs RENAME TO events_tail_${t}`);
  }
}
