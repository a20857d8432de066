/**
 * Protects stored packs: CRUD round-trips the definition, a computation replaces membership in one
 * transaction (snapshot BLOB, person index from the diff, size history), the first computation emits
 * nothing, later ones record exactly who entered and exited, and deleting a pack removes everything.
 */
import { expect, test } from "bun:test";
import {
  createAudience, deleteAudience, getAudience, listAudiences, listSizes, markEmitted, pendingChanges,
  personAudiences, readSnapshot, saveComputation, updateAudience,
} from "./audiences.repo.ts";
import type { Node } from "./definition.ts";
import { featureDb } from "./feature-db.fixture.ts";

const def: Node = { kind: "tag", tag: "vip", present: true };
const ids = (...xs: number[]) => Int32Array.from(xs);

test("create, read, list, update and delete a pack", async () => {
  const { k, s } = featureDb();
  const a = await createAudience(k, { name: "VIP", definition: def, schedule: "0 3 * * *" }, 1000);
  expect(a).toMatchObject({ name: "VIP", definition: def, schedule: "0 3 * * *", status: "active", size: null, createdAt: 1000 });
  await createAudience(k, { name: "Other", definition: def }, 1001);
  expect((await listAudiences(k)).map((x) => x.name)).toEqual(["Other", "VIP"]);
  const u = await updateAudience(k, a.id, { description: "top buyers", status: "paused" }, 2000);
  expect(u).toMatchObject({ description: "top buyers", status: "paused", updatedAt: 2000, schedule: "0 3 * * *" });
  expect(await updateAudience(k, 999, { name: "x" }, 0)).toBeNull();
  expect(await deleteAudience(k, a.id)).toBe(true);
  expect(await getAudience(k, a.id)).toBeNull();
  await expect(createAudience(k, { name: "Other", definition: def }, 3000)).rejects.toThrow(/UNIQUE/);
});

test("computations diff membership, keep history and index persons", async () => {
  const { k, s } = featureDb();
  const a = await createAudience(k, { name: "VIP", definition: def }, 0);

  const first = await saveComputation(s, { audienceId: a.id, runId: null, asOf: 100, members: ids(1, 2, 3), computedAt: 110, durationMs: 5 });
  expect(first).toEqual({ size: 3, entered: 3, exited: 0, changeId: null });
  expect(await pendingChanges(k)).toEqual([]);

  const second = await saveComputation(s, { audienceId: a.id, runId: null, asOf: 200, members: ids(2, 3, 7, 9), computedAt: 210, durationMs: 6 });
  expect(second).toMatchObject({ size: 4, entered: 2, exited: 1 });
  const [change] = await pendingChanges(k);
  expect(change).toMatchObject({ id: second.changeId!, audienceId: a.id, asOf: 200, entered: ids(7, 9), exited: ids(1) });

  const same = await saveComputation(s, { audienceId: a.id, runId: null, asOf: 300, members: ids(2, 3, 7, 9), computedAt: 310, durationMs: 4 });
  expect(same).toEqual({ size: 4, entered: 0, exited: 0, changeId: null });

  expect((await readSnapshot(s, a.id))?.members).toEqual(ids(2, 3, 7, 9));
  expect(await getAudience(k, a.id)).toMatchObject({ size: 4, lastAsOf: 300, lastComputedAt: 310, lastDurationMs: 4 });
  expect((await listSizes(k, a.id)).map((s) => [s.asOf, s.size, s.entered, s.exited])).toEqual([[100, 3, 3, 0], [200, 4, 2, 1], [300, 4, 0, 0]]);
  expect(await personAudiences(k, 7)).toEqual([{ audienceId: a.id, since: 200 }]);
  expect(await personAudiences(k, 1)).toEqual([]);
  expect(await personAudiences(k, 2)).toEqual([{ audienceId: a.id, since: 100 }]);

  await markEmitted(k, second.changeId!, 400);
  expect(await pendingChanges(k)).toEqual([]);

  await deleteAudience(k, a.id);
  expect(await readSnapshot(s, a.id)).toBeNull();
  expect(await personAudiences(k, 2)).toEqual([]);
  expect(await listSizes(k, a.id)).toEqual([]);
});

test("a member merged into another person continues as the survivor: no exit, no entry, only real moves", async () => {
  const { db, k, s } = featureDb();
  for (const id of [1, 2, 3, 4, 5]) db.query("INSERT INTO persons (id, created_at, updated_at) VALUES (?, 0, 0)").run(id);
  const a = await createAudience(k, { name: "Buyers", definition: def }, 0);
  saveComputation(s, { audienceId: a.id, runId: null, asOf: 100, members: ids(1, 2, 3), computedAt: 110, durationMs: 1 });
  // 2 merged into 1 (both members), 3 into 4 (not a member), which was later merged into 5.
  db.query("UPDATE persons SET merged_into = 1 WHERE id = 2").run();
  db.query("UPDATE persons SET merged_into = 4 WHERE id = 3").run();
  db.query("UPDATE persons SET merged_into = 5 WHERE id = 4").run();
  expect(saveComputation(s, { audienceId: a.id, runId: null, asOf: 200, members: ids(1, 5), computedAt: 210, durationMs: 1 }))
    .toEqual({ size: 2, entered: 0, exited: 0, changeId: null });
  expect((await readSnapshot(s, a.id))?.members).toEqual(ids(1, 5));
  expect(await personAudiences(k, 2)).toEqual([]);
  // The survivor of a member leaving is who exits.
  const left = saveComputation(s, { audienceId: a.id, runId: null, asOf: 300, members: ids(1), computedAt: 310, durationMs: 1 });
  expect(left).toMatchObject({ entered: 0, exited: 1 });
  expect((await pendingChanges(k))[0]).toMatchObject({ entered: ids(), exited: ids(5) });
});

test("a computation that fails inside its transaction leaves the previous membership", async () => {
  const { k, s } = featureDb();
  const a = await createAudience(k, { name: "VIP", definition: def }, 0);
  await saveComputation(s, { audienceId: a.id, runId: null, asOf: 100, members: ids(1, 2), computedAt: 110, durationMs: 1 });
  const failing = () => saveComputation(s, { audienceId: a.id, runId: null, asOf: 200, members: ids(5), computedAt: 210, durationMs: 1 }, () => {
    throw new Error("crash before commit");
  });
  expect(failing).toThrow("crash before commit");
  expect((await readSnapshot(s, a.id))?.members).toEqual(ids(1, 2));
  expect(await personAudiences(k, 5)).toEqual([]);
  expect(await listSizes(k, a.id)).toHaveLength(1);
});
