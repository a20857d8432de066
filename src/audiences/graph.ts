/**
 * The stored dependency graph of packs and rule tags: used to refuse definitions that reference
 * unknown packs or tags or would close a cycle, to refuse deleting what others read, and to order
 * the nightly run.
 */
import type { Node, IssueOut } from "./definition.ts";
import { issuePath } from "./definition.ts";
import { CycleError, dependencyKeys, dependencyOrder, depKey, referencesOf, type DepItem } from "./dependencies.ts";
import type { AudienceTagDb } from "./schema.ts";

/** GraphItem is a pack or tag with the graph nodes it reads. */
export interface GraphItem extends DepItem {
  readonly kind: "audience" | "tag";
  readonly ref: string;
}

/** loadGraph reads every pack and tag; only rule tags have dependencies. */
export async function loadGraph(k: AudienceTagDb): Promise<GraphItem[]> {
  const audiences = await k.selectFrom("audiences").select(["id", "definition"]).orderBy("id").execute();
  const tags = await k.selectFrom("tags").select(["name", "kind", "definition"]).orderBy("id").execute();
  return [
    ...tags.map((t) => ({
      kind: "tag" as const, ref: t.name, key: depKey("tag", t.name),
      deps: t.kind === "rule" && t.definition ? dependencyKeys(JSON.parse(t.definition) as Node) : [],
    })),
    ...audiences.map((a) => {
      const key = depKey("audience", String(a.id));
      // a pack reading its own members is a static list (static.ts), not a cycle
      return { kind: "audience" as const, ref: String(a.id), key, deps: dependencyKeys(JSON.parse(a.definition) as Node).filter((d) => d !== key) };
    }),
  ];
}

/**
 * checkReferences returns the issues of a definition about to be saved as graph node `self`
 * (null for a new pack or tag): unknown packs and tags by path, and a cycle it would close.
 */
export async function checkReferences(
  k: AudienceTagDb, def: Node, self: string | null, prefix: (string | number)[] = ["definition"],
): Promise<IssueOut[]> {
  const graph = await loadGraph(k);
  const known = new Set(graph.map((g) => g.key));
  const issues: IssueOut[] = [];
  for (const r of referencesOf(def)) {
    if (!known.has(depKey(r.kind, r.ref))) {
      issues.push({ path: issuePath([...prefix, ...r.path]), message: `unknown ${r.kind} ${JSON.stringify(r.ref)}` });
    }
  }
  if (issues.length > 0 || self === null) return issues;
  const items = graph.map((g) => (g.key === self ? { key: g.key, deps: dependencyKeys(def) } : g));
  try {
    dependencyOrder(items);
  } catch (e) {
    if (!(e instanceof CycleError)) throw e;
    issues.push({ path: issuePath(prefix), message: e.message });
  }
  return issues;
}

/**
 * referencesComputed says whether every tag and pack a definition reads holds values already (a manual
 * tag always does; a rule or computed tag and a pack once computed). Only then does computing it now give
 * its true members; otherwise the nightly run computes the references first, in dependency order.
 */
export async function referencesComputed(k: AudienceTagDb, def: Node): Promise<boolean> {
  for (const r of referencesOf(def)) {
    if (r.kind === "tag") {
      const tag = await k.selectFrom("tags").select(["kind", "last_computed_at"]).where("name", "=", r.ref).executeTakeFirst();
      if (!tag || (tag.kind !== "manual" && tag.last_computed_at === null)) return false;
    } else {
      const pack = await k.selectFrom("audiences").select("last_computed_at").where("id", "=", Number(r.ref)).executeTakeFirst();
      if (!pack || pack.last_computed_at === null) return false;
    }
  }
  return true;
}

/** dependents lists the graph nodes that read `key` (what would break if it were deleted). */
export async function dependents(k: AudienceTagDb, key: string): Promise<string[]> {
  return (await loadGraph(k)).filter((g) => g.deps.includes(key)).map((g) => g.key);
}
