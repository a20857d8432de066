/**
 * How a person is named in lists: a name or e-mail trait when there is one, else their most telling
 * identifier (user id before phone before channel ids), with channel icons for the identifiers held.
 */
import { channelOf } from "../../../src/identity/identifier.ts";
import { CHANNELS, type Channel } from "../../../src/ingest/channel.ts";
import { useI18n } from "../i18n/index.tsx";
import type { Actor } from "../query/types.ts";

// The identity room decides which channel an identifier namespace belongs to; the dashboard only draws it.
export { channelOf };

/** ICONS are short glyphs per channel: readable without an icon font, and announced by their label. */
export const CHANNEL_ICONS: Record<string, string> = {
  wechat: "微", wecom: "企", douyin: "抖", taobao: "淘", jd: "京", youzan: "赞", email: "@", phone: "☎", app: "◆", custom: "•",
};

const KNOWN_CHANNELS = ["wechat", "wecom", "douyin", "taobao", "jd", "youzan", "email", "phone", "app", "custom"] as const;

/** Marketing `$channel` labels not named as identity channels above (email, wechat and douyin are). */
type MarketingChannel = Exclude<Channel, (typeof KNOWN_CHANNELS)[number]>;

/** channelName names a channel, or a marketing `$channel`, in the user's language (unknown names as they are). */
export function channelName(c: string, t: ReturnType<typeof useI18n>["t"]): string {
  if ((KNOWN_CHANNELS as readonly string[]).includes(c)) return t(`channel.${c as (typeof KNOWN_CHANNELS)[number]}`);
  if ((CHANNELS as readonly string[]).includes(c)) return t(`marketing.${c as MarketingChannel}`);
  return c;
}

const RANK = ["user_id", "email", "phone", "wx_unionid", "wx_openid", "douyin_open_id", "taobao_buyer", "jd_pin", "youzan_open_id", "anonymous_id", "distinct_id"];

/** displayName is the best short name for a person. */
export function displayName(p: Pick<Actor, "id" | "identifiers" | "traits">): string {
  for (const k of ["name", "nickname", "email"]) {
    const v = p.traits[k];
    if (typeof v === "string" && v.trim() !== "") return v;
  }
  const ranked = [...p.identifiers].sort((a, b) => rank(a.type) - rank(b.type));
  return ranked[0]?.value ?? `#${p.id}`;
}

function rank(type: string): number {
  const i = RANK.indexOf(type.split(":")[0] ?? type);
  return i < 0 ? RANK.length : i;
}

export function ChannelIcons({ identifiers }: { identifiers: Actor["identifiers"] }) {
  const { t } = useI18n();
  const channels = [...new Set(identifiers.map((i) => channelOf(i.type)))];
  return (
    <span class="channel-icons">
      {channels.map((c) => (
        <span key={c} class={`chan chan-${c}`} title={channelName(c, t)} aria-label={channelName(c, t)}>
          {CHANNEL_ICONS[c] ?? "•"}
        </span>
      ))}
    </span>
  );
}
