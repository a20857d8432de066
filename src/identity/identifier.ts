/**
 * Identifiers are namespaced values (SPEC §4): `user_id`, `anonymous_id`, `email`, `phone`, `wx_unionid`,
 * `wx_openid:<appid>`, `wecom_external_userid:<corpid>`, `douyin_open_id:<client_key>`, `youzan_open_id`,
 * `taobao_buyer`, `jd_pin`, PostHog's `distinct_id`, and any custom namespace a source declares. The part
 * after `:` scopes the value (an openid means nothing without its appid, channels.md §7.6).
 */
import { toE164 } from "./phone.ts";

/** Identifier is one namespaced value as declared on the wire (Segment `context.externalIds` shape). */
export interface Identifier {
  readonly type: string;
  readonly id: string;
}

export const NS = {
  userId: "user_id",
  anonymousId: "anonymous_id",
  distinctId: "distinct_id",
  email: "email",
  phone: "phone",
  wxUnionid: "wx_unionid",
} as const;

/** PII_NAMESPACES hold personal data: their values are encrypted at rest (SPEC §4 Privacy). */
export const PII_NAMESPACES: ReadonlySet<string> = new Set([NS.email, NS.phone]);

/** Spellings SDKs and connectors use for the well-known namespaces. */
const NS_ALIASES: Readonly<Record<string, string>> = {
  userid: NS.userId,
  user: NS.userId,
  anonymousid: NS.anonymousId,
  anonymous: NS.anonymousId,
  distinctid: NS.distinctId,
  mobile: NS.phone,
  phone_number: NS.phone,
  phonenumber: NS.phone,
  unionid: NS.wxUnionid,
};

const NS_SYNTAX = /^[a-z0-9][a-z0-9_.-]{0,63}(:[A-Za-z0-9_.-]{1,128})?$/;

/** normaliseNamespace lower-cases the base name, maps known aliases and refuses malformed names (null). */
export function normaliseNamespace(type: string): string | null {
  const t = type.trim();
  const colon = t.indexOf(":");
  const base = (colon < 0 ? t : t.slice(0, colon)).toLowerCase();
  const ns = (NS_ALIASES[base] ?? base) + (colon < 0 ? "" : t.slice(colon));
  return NS_SYNTAX.test(ns) ? ns : null;
}

/**
 * LINK_PRIORITY orders the identifiers of one message: the strongest decide the person first, so when a guard
 * refuses a link it is the weaker identifier that stays apart (Segment's priority demotion).
 */
export function rankOf(ns: string): number {
  if (ns === NS.userId) return 0;
  if (ns === NS.wxUnionid) return 1;
  if (ns === NS.phone) return 2;
  if (ns === NS.email) return 3;
  if (ns === NS.distinctId) return 5;
  if (ns === NS.anonymousId) return 6;
  return 4;
}

/**
 * twinOf is the namespace holding the same actor under the same value: a PostHog distinct_id and a Segment
 * user_id (posthog-node's `distinctId` is the app's user id). null for other namespaces.
 */
export function twinOf(ns: string): string | null {
  return ns === NS.userId ? NS.distinctId : ns === NS.distinctId ? NS.userId : null;
}

/** PREVIOUS_NAMESPACES are where an alias's previousId may already be known, most likely first. */
export const PREVIOUS_NAMESPACES: readonly string[] = [NS.anonymousId, NS.userId, NS.distinctId];

/** WEAK_NAMESPACES name a device rather than a person: several people can share one. */
export const WEAK_NAMESPACES: ReadonlySet<string> = new Set([NS.anonymousId, NS.distinctId]);

/** CHANNELS groups namespaces for the person page ("identifiers grouped by channel"). */
export function channelOf(ns: string): string {
  const base = ns.split(":", 1)[0]!;
  if (base === NS.userId || base === NS.anonymousId || base === NS.distinctId) return "app";
  if (base === NS.email) return "email";
  if (base === NS.phone) return "phone";
  if (base.startsWith("wecom")) return "wecom";
  if (base.startsWith("wx")) return "wechat";
  if (base.startsWith("douyin")) return "douyin";
  if (base.startsWith("youzan")) return "youzan";
  if (base.startsWith("taobao") || base.startsWith("tmall")) return "taobao";
  if (base.startsWith("jd")) return "jd";
  return "custom";
}

/** PLATFORMS are the channels a source itself can stand for: a mini program, an official account, a marketplace connector. */
const PLATFORMS = new Set(["wechat", "wecom", "douyin", "youzan", "taobao", "jd"]);

/**
 * channelOfSource is the channel a source's kind stands for (`wx_mini`, `tmall`, `jd`, …), or null for a
 * website, app, server or import: the events of a platform source belong to that platform whatever
 * identifier they were sent with (a connector or mini program often sends its platform id as the anonymousId).
 */
export function channelOfSource(kind: string): string | null {
  const c = channelOf(kind);
  return PLATFORMS.has(c) ? c : null;
}

/**
 * channelOfIdentifier groups an identifier on the person page: an anonymous or distinct id first seen from
 * a platform source (`platform`, from channelOfSource) is that platform's id; any other by its namespace.
 */
export function channelOfIdentifier(ns: string, platform: string | null): string {
  return platform !== null && (ns === NS.anonymousId || ns === NS.distinctId) ? platform : channelOf(ns);
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * normaliseValue puts a value in its namespace's canonical form: e-mail trimmed and lower-cased, phone in
 * E.164 (phone.ts); other namespaces are case-sensitive ids and stay as sent. null = not a valid value.
 */
export function normaliseValue(ns: string, value: string, defaultCountryCode: string): string | null {
  if (ns === NS.email) {
    const v = value.trim().toLowerCase();
    return EMAIL.test(v) ? v : null;
  }
  if (ns === NS.phone) return toE164(value, defaultCountryCode);
  return value;
}
