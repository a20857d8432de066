/**
 * DefinitionEditor: the audience grammar as nested groups. A group is "all of" / "any of" its conditions
 * and subgroups; any node can be negated ("not"); leaves are edited by their kind's editor. Buttons that
 * would break the server's limits (depth 6, 50 conditions) are disabled with the reason in their title.
 */
import { api } from "../api.ts";
import { useI18n } from "../i18n/index.tsx";
import { useCatalog } from "../query/catalog.ts";
import type { Audience, Tag } from "../types.ts";
import { append, at, children, depth, leafCount, MAX_DEPTH, MAX_LEAVES, newLeaf, remove, replace, toggleNot, type LeafKind, type Node, type Path } from "./definition-model.ts";
import { AttrEditor, AudienceLeafEditor, DidNotEditor, EventLeafEditor, SequenceEditor, TagLeafEditor, type Patch } from "./leaf-editors.tsx";

const KINDS: LeafKind[] = ["attr", "event", "did_not", "sequence", "tag", "audience"];

interface Ctx {
  root: Node;
  /**
   * update applies an edit to the latest tree (not the one this render saw): two edits in one tick —
   * a field committing on blur as the next control is used — must both land.
   */
  update: (edit: (root: Node) => Node) => void;
  tags: Tag[];
  audiences: Audience[];
  full: boolean;
}

function AddMenu({ ctx, path, level }: { ctx: Ctx; path: Path; level: number }) {
  const { t } = useI18n();
  const deep = level + 2 > MAX_DEPTH;
  return (
    <div class="add-menu">
      <label class="inline">
        <span class="visually-hidden">{t("audience.addCondition")}</span>
        <select
          value=""
          disabled={ctx.full}
          title={ctx.full ? t("audience.tooMany", { n: MAX_LEAVES }) : undefined}
          aria-label={t("audience.addCondition")}
          onChange={(e) => {
            const v = e.currentTarget.value as LeafKind | "group" | "";
            if (v === "") return;
            ctx.update((root) => append(root, path, v === "group" ? { kind: "and", children: [newLeaf("attr")] } : newLeaf(v)));
            e.currentTarget.value = "";
          }}
        >
          <option value="">+ {t("audience.addCondition")}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>{t(`audience.kind.${k}`)}</option>
          ))}
          <option value="group" disabled={deep}>{t("audience.kind.group")}</option>
        </select>
      </label>
    </div>
  );
}

function NodeView({ ctx, path, level }: { ctx: Ctx; path: Path; level: number }) {
  const { t } = useI18n();
  const node = at(ctx.root, path);
  const label = t("audience.conditionAt", { path: path.map((i) => i + 1).join(".") || "1" });
  // A leaf's patch lands on the leaf as it is when applied (not as rendered), and only if the node at
  // this path is still that kind of condition.
  const set = <N extends Node>(p: Patch<N>) =>
    ctx.update((root) => {
      const latest = at(root, path);
      if (latest.kind !== node.kind) return root;
      const patch = typeof p === "function" ? p(latest as N) : p;
      return replace(root, path, { ...latest, ...patch } as Node);
    });
  const actions = (
    <span class="node-actions">
      {path.length > 0 && (
        <button type="button" class="btn btn-link" aria-pressed={node.kind === "not"} onClick={() => ctx.update((root) => toggleNot(root, path))} title={t("audience.negate")} disabled={node.kind !== "not" && level + depth(node) >= MAX_DEPTH + 1}>
          {t("audience.not")}
        </button>
      )}
      {path.length > 0 && (
        <button type="button" class="btn btn-link" onClick={() => ctx.update((root) => remove(root, path))} aria-label={t("audience.removeAt", { label })}>
          ✕
        </button>
      )}
    </span>
  );
  if (node.kind === "not") {
    return (
      <div class="node node-not">
        <div class="node-head">
          <strong class="not-badge">{t("audience.notBadge")}</strong>
          {actions}
        </div>
        <NodeView ctx={ctx} path={[...path, 0]} level={level + 1} />
      </div>
    );
  }
  if (node.kind === "and" || node.kind === "or") {
    return (
      <div class={`node node-group ${node.kind}`} role="group" aria-label={label}>
        <div class="node-head">
          <select value={node.kind} aria-label={t("audience.groupMode", { label })} onChange={(e) => {
            const kind = e.currentTarget.value === "or" ? "or" : "and";
            ctx.update((root) => replace(root, path, { kind, children: children(at(root, path)) }));
          }}>
            <option value="and">{t("audience.allOf")}</option>
            <option value="or">{t("audience.anyOf")}</option>
          </select>
          {actions}
        </div>
        {node.children.length === 0 && <p class="hint">{t(path.length === 0 ? "audience.everyone" : "audience.emptyGroup")}</p>}
        <ul class="node-children">
          {node.children.map((_, i) => (
            <li key={i}>
              <NodeView ctx={ctx} path={[...path, i]} level={level + 1} />
            </li>
          ))}
        </ul>
        <AddMenu ctx={ctx} path={path} level={level} />
      </div>
    );
  }
  const leaf =
    node.kind === "attr" ? <AttrEditor node={node} onNode={set} label={label} />
    : node.kind === "tag" ? <TagLeafEditor node={node} onNode={set} label={label} tags={ctx.tags} />
    : node.kind === "audience" ? <AudienceLeafEditor node={node} onNode={set} label={label} audiences={ctx.audiences} />
    : node.kind === "event" ? <EventLeafEditor node={node} onNode={set} label={label} />
    : node.kind === "did_not" ? <DidNotEditor node={node} onNode={set} label={label} />
    : <SequenceEditor node={node} onNode={set} label={label} />;
  return (
    <div class="node node-leaf">
      <span class="kind-badge">{t(`audience.kind.${node.kind}`)}</span>
      {leaf}
      {actions}
    </div>
  );
}

/** asGroup shows a root that is a single condition inside an "all of", so conditions can be added beside it. */
const asGroup = (n: Node): Node => (n.kind === "and" || n.kind === "or" ? n : { kind: "and", children: [n] });

export function DefinitionEditor({ value, onChange, excludeAudience }: { value: Node; onChange: (edit: (prev: Node) => Node) => void; excludeAudience?: number }) {
  const { t } = useI18n();
  const tags = useCatalog(async () => (await api<{ tags: Tag[] }>("GET", "/api/tags")).tags, []);
  const audiences = useCatalog(async () => (await api<{ audiences: Audience[] }>("GET", "/api/audiences")).audiences, []);
  const root = asGroup(value);
  const ctx: Ctx = {
    root,
    update: (edit) => onChange((prev) => edit(asGroup(prev))),
    tags: tags.items,
    audiences: audiences.items.filter((a) => a.id !== excludeAudience),
    full: leafCount(root) >= MAX_LEAVES,
  };
  return (
    <div class="definition" aria-label={t("audience.definition")}>
      <NodeView ctx={ctx} path={[]} level={1} />
    </div>
  );
}
