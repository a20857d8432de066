/**
 * Sensors Data (神策) SDKs, pointed at Tessera by their `server_url` (`https://<tessera>/sa?project=<write key>`):
 * sa-sdk-javascript, sa-sdk-miniprogram, sa-sdk-android, sa-sdk-ios and the server SDKs. What they send:
 * - batches as a form body `crc=<hash>&gzip=1&data_list=<base64(gzip(JSON array))>` (Android
 *   `AnalyticsMessages.sendHttpRequest`, iOS `SAFlushHTTPBodyInterceptor`; `crc` is Java's `String.hashCode` of the
 *   base64 text), or `data_list=<base64(JSON array)>` without gzip (the mini program's `batch_send`, the JS SDK's
 *   `batch_send`); the mini program posts it by `wx.request` without a Content-Type, so it arrives labelled
 *   `application/json`: the body is read by its shape, never by its label;
 * - one event as `data=<base64(JSON)>&ext=crc%3D<hash>` (JS `send_type: 'ajax'`/`'beacon'` bodies) or the same in the
 *   query of a GET (JS `send_type: 'image'`, the mini program without `batch_send`);
 * - `gzip=9` is Sensors' encrypted form (AES with a key only Sensors' server holds): refused with a 400 naming it.
 * The real sa-sdk-javascript (1.27.11, run in Chromium by test/browser-sdks.e2e.test.ts) posts to `/sa.gif?project=…`
 * (it rewrites a `server_url` ending in `/sa` itself): `ajax` by XHR as a form, `beacon` by sendBeacon labelled
 * `text/plain`, `image` as the GET, `batch_send` as `data_list=` alone; events carry ID-Mapping 3.0 `identities`.
 * Plain JSON (an event or an array) and a bare base64 body are read too (JS plugins that post `base64` alone).
 *
 * Mapping (Sensors' data model, manual.sensorsdata.cn 数据格式): `type` track → track (`$pageview` → page view,
 * `$MPViewScreen` → page view as our mini program SDK sends it, `$AppViewScreen` → `$screen` with `$screen_name`;
 * both keep Sensors' name in `$sa_event`); track_signup → identify linking `original_id` (anonymous) to
 * `distinct_id` (the login id), under its own event name (`$SignUp`); profile_set / profile_set_once /
 * profile_unset → trait operations stored as a `$identify` event (typed identify only when the id is a login id,
 * as posthog.wire.ts does for person updates); track_id_bind (`$BindID`) → a track whose identifiers all join one
 * person. No counterpart, refused as a rejected item naming the reason (never a silent drop): profile_increment
 * and profile_append (they need the stored value), profile_delete (a privacy deletion is an admin action),
 * track_id_unbind (unlinking is the person page's unmerge; ingesting it as an event would link what it unbinds),
 * item_set / item_delete (Sensors' item tables).
 *
 * Identities: `login_id`, `identities.$identity_login_id`, or `distinct_id` with `properties.$is_login_id: true` →
 * user_id; `anonymous_id`, else a distinct_id that is not a login id → anonymous_id; device identities
 * (`$identity_anonymous_id`, `$identity_cookie_id`, `$identity_android_id`, `$identity_android_uuid`,
 * `$identity_idfv`, …) → anonymous_id; `$identity_mp_unionid` → wx_unionid; `$identity_mp_<appid>_openid` →
 * `wx_openid:<appid>`; `$identity_mp_openid` (older mini program SDKs, appid unknown) → the custom namespace
 * `sensors:mp_openid`, which links that mini program's events but cannot meet an Official Account's openid;
 * `$identity_mobile`/`$identity_email` → phone/email; any other key → `sensors:<key>`. A distinct_id written
 * `<identity key>+<value>` (ID-Mapping 3.0 login by another key) is that identity, not a user id.
 *
 * Time: `time` (epoch ms, the device clock) corrected by `_flush_time` (when the device sent it) as SPEC §3
 * corrects by sentAt; `time_free` (Sensors' import flag) keeps `time` as given. Dedup: the message id is derived
 * from `_track_id` (random per event, kept on a re-send), `time`, type, event, distinct id and project, so a
 * re-sent batch is stored once although `_flush_time` changes; `_track_id` alone is 9–10 random digits and would
 * collide across a source's events. Without `_track_id` (profile operations) the id is derived from `time` and
 * the content, without `time` a fresh id.
 */
import { IngestError, ItemError } from "./errors.ts";
import { decodeBase64, inflate, isGzip, looksLikeJson, parseJson, utf8, type BodyLimit } from "./decode.ts";
import { idValue, messageIdOf } from "./identifiers.ts";
import { isObject, obj, str, type Json, type JsonObject } from "./json.ts";
import { MAX_BATCH_ITEMS, MAX_EVENT_NAME_LENGTH, MAX_POSTHOG_REQUEST_BYTES } from "./limits.ts";
import { EMPTY_TRAITS, type Identifier, type Message, type MessageType, type TraitOps } from "./message.ts";
import type { MessageMeta } from "./segment.wire.ts";
import { eventTime, parseTime } from "./timestamps.ts";
import { traitOps } from "./traits.ts";

/** SENSORS_LIMIT: a request's body, and its decoded data, on /sa (base64 and form encoding add ~40%). */
export const SENSORS_LIMIT: BodyLimit = { bytes: MAX_POSTHOG_REQUEST_BYTES, where: "on /sa" };

/** javaHashCode is Java's `String.hashCode` (and the JS/iOS SDKs' copies of it): the `crc` of a payload. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** SensorsFields are the parameters of one request, from the form body or the query. */
export interface SensorsFields {
  readonly data: string | null;
  readonly dataList: string | null;
  readonly gzip: string | null;
  /** From `crc=` (Android, iOS) or `ext=crc=…` (JS). */
  readonly crc: string | null;
}

/** fieldsOf reads the parameters; `ext` is the JS SDK's `crc=<hash>` wrapped in one parameter. */
export function fieldsOf(params: URLSearchParams): SensorsFields {
  const ext = params.get("ext");
  const crc = params.get("crc") ?? (ext === null ? null : new URLSearchParams(ext).get("crc"));
  return { data: params.get("data"), dataList: params.get("data_list"), gzip: params.get("gzip"), crc };
}

/** SensorsExtracted is a request split into raw events and the key the body itself names. */
export interface SensorsExtracted {
  readonly items: readonly Json[];
  /** The first event's `token`, else `project` (server SDKs put them in each event). */
  readonly bodyKey: string | null;
}

/**
 * payloadOf decodes `data` / `data_list`: plain JSON, or base64 of JSON or of gzip of JSON (`gzip=1`, or detected by
 * the magic bytes). A `crc` must be the hash of the base64 text as the SDK computed it.
 */
export function payloadOf(value: string, field: "data" | "data_list", gzip: string | null, crc: string | null, limit: BodyLimit): Json {
  const g = gzip?.trim() ?? "";
  if (g === "9") {
    throw new IngestError(400, `${field}: is encrypted (gzip=9), which only Sensors' own server can read: turn the SDK's encryption (enableEncrypt / encrypt plugin) off for this server_url`);
  }
  if (g !== "" && g !== "0" && g !== "1") throw new IngestError(400, `gzip: "${g}" is not 0 (plain) or 1 (gzip)`);
  if (looksLikeJson(value)) return parseJson(value, field);
  // A form decoder reads an unencoded "+" as a space; base64 has no spaces.
  const b64 = value.trim().replace(/ /g, "+");
  if (crc !== null && crc.trim() !== "") {
    const sent = Number(crc.trim());
    const h = javaHashCode(b64);
    if (!Number.isInteger(sent)) throw new IngestError(400, `crc: "${crc}" is not an integer`);
    // Java's hash is a signed int; some ports print it unsigned.
    if (sent !== h && sent !== h >>> 0) {
      throw new IngestError(400, `crc: ${sent} does not match the ${field} received (its hash is ${h}): the body was cut or altered on the way`);
    }
  }
  const bytes = decodeBase64(b64);
  if (bytes === null) throw new IngestError(400, `${field}: is neither base64 nor JSON`);
  const text = utf8(isGzip(bytes) ? inflate(bytes, null, limit) : bytes, field);
  if (g === "1" && !isGzip(bytes) && !looksLikeJson(text)) throw new IngestError(400, `${field}: gzip=1 but the data is not gzip`);
  return parseJson(text, field);
}

/** itemsOf turns a decoded payload into events, with the batch limits of SPEC §3. */
function itemsOf(payload: Json, field: string): readonly Json[] {
  const items = Array.isArray(payload) ? payload : [payload];
  if (items.length === 0) throw new IngestError(400, `${field}: is empty`);
  if (items.length > MAX_BATCH_ITEMS) {
    const l = `${MAX_BATCH_ITEMS} items per batch`;
    throw new IngestError(413, `${field}: has ${items.length} items, the limit is ${l}`, l);
  }
  return items;
}

function bodyKeyOf(items: readonly Json[]): string | null {
  const first = items[0];
  if (!isObject(first)) return null;
  return str(first, "token") ?? str(first, "project") ?? null;
}

/** fromFields decodes a request's parameters (form body or query); null when they carry no data. */
export function fromFields(f: SensorsFields, limit: BodyLimit): SensorsExtracted | null {
  const field = f.dataList !== null ? "data_list" : f.data !== null ? "data" : null;
  if (field === null) return null;
  const items = itemsOf(payloadOf((field === "data_list" ? f.dataList : f.data)!, field, f.gzip, f.crc, limit), field);
  return { items, bodyKey: bodyKeyOf(items) };
}

/**
 * extractSensorsBody reads a POST body: a form (`data_list=…` / `data=…`, whatever the Content-Type says), plain
 * JSON, or a bare base64 payload. `query` holds parameters sent in the URL (`gzip`, `crc`) as a fallback.
 */
export function extractSensorsBody(raw: Uint8Array, contentEncoding: string | null, query: URLSearchParams, limit: BodyLimit): SensorsExtracted {
  const text = utf8(inflate(raw, contentEncoding, limit));
  if (text.trim() === "") {
    const fromQuery = fromFields(fieldsOf(query), limit);
    if (fromQuery) return fromQuery;
    throw new IngestError(400, "request body is empty (expected data_list=<base64> or data=<base64>)");
  }
  if (looksLikeJson(text)) {
    const items = itemsOf(parseJson(text), "request body");
    return { items, bodyKey: bodyKeyOf(items) };
  }
  if (/^(?:[\w$]+=[^&]*&)*(?:data|data_list)=/.test(text)) {
    const form = new URLSearchParams(text);
    const f = fieldsOf(form);
    const q = fieldsOf(query);
    return fromFields({ ...f, gzip: f.gzip ?? q.gzip, crc: f.crc ?? q.crc }, limit)!;
  }
  // A bare payload (JS plugins that post the base64 alone): read as data_list.
  if (decodeBase64(text.trim()) === null) {
    throw new IngestError(400, "request body is not a Sensors payload (expected data_list=<base64>, data=<base64> or JSON)");
  }
  const q = fieldsOf(query);
  return fromFields({ data: null, dataList: text, gzip: q.gzip, crc: q.crc }, limit)!;
}

// ───────────────────────────────────────────── one event → Message ─────────────────────────────────────────────

const TRACK_TYPES = new Set(["track", "track_signup", "track_id_bind"]);
const PROFILE_TYPES: Readonly<Record<string, "set" | "setOnce" | "unset">> = {
  profile_set: "set", profile_set_once: "setOnce", profile_unset: "unset",
};
/** Types with no counterpart here, and why (the answer's `rejected` and the source page show it). */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  profile_increment: "adds to a stored number, which Tessera's trait operations ($set/$set_once/$unset) cannot express; send the new value with profile_set",
  profile_append: "appends to a stored list, which Tessera's trait operations ($set/$set_once/$unset) cannot express; send the whole list with profile_set",
  profile_delete: "deletes a whole profile; in Tessera that is a privacy deletion on the person page (DELETE /api/persons/:id)",
  track_id_unbind: "unlinks an identifier; in Tessera that is an unmerge on the person page, never done from ingestion",
  item_set: "describes an item of Sensors' item tables, which Tessera does not have",
  item_delete: "deletes an item of Sensors' item tables, which Tessera does not have",
};

/** Properties that steer Sensors' processing rather than describe the event; not stored. */
const CONTROL_PROPS = ["$is_login_id", "$project", "$token", "$time"];

/** Identity keys naming a device or browser: anonymous ids. */
const DEVICE_IDENTITIES = new Set([
  "$identity_anonymous_id", "$identity_cookie_id", "$identity_android_id", "$identity_android_uuid", "$identity_android_oaid",
  "$identity_idfv", "$identity_idfa", "$identity_ios_uuid", "$identity_mp_id", "$identity_distinct_id", "$identity_harmony_uuid",
]);

/** MAX_IDENTITIES caps `identities` per event, as Segment's `context.externalIds` is capped (identifiers.ts). */
const MAX_IDENTITIES = 100;

const MP_OPENID = /^\$identity_mp_([A-Za-z0-9_-]{1,64})_openid$/;

/** namespaceOfIdentity maps a Sensors identity key to our namespace (module comment); null to skip it. */
export function namespaceOfIdentity(key: string): string | null {
  if (key === "$identity_login_id") return "user_id";
  if (DEVICE_IDENTITIES.has(key)) return "anonymous_id";
  if (key === "$identity_mp_unionid" || key === "$mp_unionid") return "wx_unionid";
  const openid = MP_OPENID.exec(key);
  if (openid) return `wx_openid:${openid[1]}`;
  if (key === "$identity_mp_openid" || key === "$mp_openid") return "sensors:mp_openid";
  if (key === "$identity_mobile") return "phone";
  if (key === "$identity_email") return "email";
  const name = key.replace(/^\$identity_/, "").replace(/^\$/, "");
  return /^[A-Za-z0-9_.-]{1,128}$/.test(name) ? `sensors:${name}` : null;
}

/** keyedId reads ID-Mapping 3.0's `<identity key>+<value>` distinct id. */
function keyedId(id: string): { key: string; value: string } | null {
  const m = /^(\$identity_[A-Za-z0-9_]+)\+(.+)$/.exec(id);
  return m ? { key: m[1]!, value: m[2]! } : null;
}

/** MessageIds are derived from these parts; 128 bits from two seeded 64-bit hashes. */
function derivedId(parts: readonly (string | number | null)[]): string {
  const s = parts.map((p) => (p === null ? "" : String(p))).join("\u0000");
  const a = Bun.hash.wyhash(s, BigInt(0x5a5a)).toString(16).padStart(16, "0");
  const b = Bun.hash.wyhash(s, BigInt(0x3c3c)).toString(16).padStart(16, "0");
  return `sa-${a}${b}`;
}

function text(v: Json | undefined): string | null {
  return typeof v === "string" && v.trim() !== "" ? v : null;
}

/** contextOf lifts Sensors' preset properties into the Segment-shaped context the enrich steps read. */
function contextOf(p: JsonObject, lib: JsonObject | null): JsonObject {
  const ctx: JsonObject = {};
  const libName = text(lib?.$lib) ?? text(p.$lib);
  const libVersion = text(lib?.$lib_version) ?? text(p.$lib_version);
  if (libName) ctx.library = { name: libName, version: libVersion };
  const web = libName !== null && /^js$/i.test(libName);
  const mini = libName !== null && /^miniprogram$/i.test(libName);
  const page: JsonObject = {};
  const url = text(p.$url);
  if (url && (web || /^https?:/i.test(url))) page.url = url;
  const referrer = text(p.$referrer);
  if (referrer && /^https?:/i.test(referrer)) page.referrer = referrer;
  const title = text(p.$title);
  if (title) page.title = title;
  const path = text(p.$url_path);
  if (path) page.path = mini && !path.startsWith("/") ? `/${path}` : path;
  // An app's `$title`/`$url` stay its properties: a context.page would make it read as a web page.
  if (Object.keys(page).length > 0 && (web || mini)) ctx.page = page;
  const ua = text(p.$user_agent);
  if (ua) ctx.userAgent = ua;
  if (!web) {
    // An app or a mini program: the device is in the properties, the request's User-Agent is its HTTP client.
    const os = text(p.$os);
    if (os) ctx.os = { name: os, version: text(p.$os_version) };
    const device: JsonObject = {};
    const model = text(p.$model);
    if (model) device.model = model;
    const maker = text(p.$manufacturer) ?? text(p.$brand);
    if (maker) device.manufacturer = maker;
    if (Object.keys(device).length > 0 || os) ctx.device = device;
    const appVersion = text(p.$app_version);
    if (appVersion) ctx.app = { version: appVersion };
    if (mini) ctx.wechat = {};
  }
  return ctx;
}

/** sceneOf reads the mini program's `$scene` ("wx-1007") as our numeric WeChat scene. */
function sceneOf(v: Json | undefined): number | null {
  const m = typeof v === "string" ? /^wx-(\d{4})$/.exec(v) : null;
  return m ? Number(m[1]) : null;
}

/**
 * sensorsMessage validates one Sensors event and maps it to a Message; throws ItemError naming the field.
 * `project` is the request's `project` parameter (part of the dedup id, as Sensors keeps projects apart).
 */
export function sensorsMessage(raw: Json, meta: MessageMeta, project: string | null): Message {
  if (!isObject(raw)) throw new ItemError("expected an event object");
  const saType = raw.type;
  if (typeof saType !== "string" || saType === "") throw new ItemError("type: required (track, track_signup, profile_set, …)");
  // Own keys only: a type named "constructor" is not a member of the tables.
  const why = Object.hasOwn(UNSUPPORTED, saType) ? UNSUPPORTED[saType] : undefined;
  if (why !== undefined) throw new ItemError(`type: ${saType} is not stored: it ${why}`);
  const profileOp = Object.hasOwn(PROFILE_TYPES, saType) ? PROFILE_TYPES[saType] : undefined;
  if (!TRACK_TYPES.has(saType) && profileOp === undefined) {
    throw new ItemError(`type: "${saType}" is not one of track, track_signup, track_id_bind, profile_set, profile_set_once, profile_unset`);
  }
  const propsIn = raw.properties ?? null;
  if (propsIn !== null && !isObject(propsIn)) throw new ItemError("properties: expected an object");
  const lib = raw.lib ?? null;
  if (lib !== null && !isObject(lib)) throw new ItemError("lib: expected an object");
  const identities = raw.identities ?? null;
  if (identities !== null && !isObject(identities)) throw new ItemError("identities: expected an object");
  if (identities !== null && Object.keys(identities).length > MAX_IDENTITIES) {
    throw new ItemError(`identities: has ${Object.keys(identities).length} entries, the limit is ${MAX_IDENTITIES} per event`);
  }
  const p: JsonObject = { ...propsIn };

  const distinct = idValue(raw.distinct_id, "distinct_id");
  if (distinct === null) throw new ItemError("distinct_id: required");
  const keyed = keyedId(distinct);
  const isLogin = p.$is_login_id === true;
  const loginId = idValue(raw.login_id, "login_id") ?? idValue(identities?.$identity_login_id, "identities.$identity_login_id");
  let userId: string | null = null;
  let anonymousId = idValue(raw.anonymous_id, "anonymous_id");
  const identifiers: Identifier[] = [];
  const push = (type: string | null, id: string | null) => {
    if (type === null || id === null) return;
    if (!identifiers.some((x) => x.type === type && x.id === id)) identifiers.push({ type, id });
  };
  if (keyed) {
    // Logged in by another key (`$identity_mobile+138…`): that identity, never a user id.
    const ns = namespaceOfIdentity(keyed.key);
    if (ns === "user_id") userId = keyed.value;
    else if (ns === "anonymous_id") anonymousId ??= keyed.value;
    else push(ns, keyed.value);
  } else if (isLogin || (loginId !== null && loginId === distinct)) {
    userId = distinct;
  } else if (loginId !== null && !keyedId(loginId)) {
    userId = loginId;
    anonymousId ??= distinct;
  } else {
    anonymousId ??= distinct;
  }
  let previousId: string | null = null;
  if (saType === "track_signup") {
    previousId = idValue(raw.original_id, "original_id");
    if (previousId === null) throw new ItemError("original_id: required for track_signup");
    if (userId === null && !keyed) userId = distinct;
    // original_id is the anonymous id the user had before logging in.
    if (previousId !== userId) anonymousId = previousId;
  }
  // The identifier the event was sent with comes first (message.ts), then the others.
  push("user_id", userId);
  push("anonymous_id", anonymousId);
  if (identities) {
    for (const [key, v] of Object.entries(identities)) {
      const value = idValue(v, `identities.${key}`);
      if (value === null) continue;
      push(namespaceOfIdentity(key), value);
    }
  }

  const time = parseTime(raw.time, "time");
  const flush = parseTime(raw._flush_time, "_flush_time");
  const timeFree = raw.time_free !== undefined && raw.time_free !== null && raw.time_free !== false;
  const sentAt = timeFree ? null : flush;
  const timestamp = eventTime({ explicit: null, original: time, sentAt, offset: null, receivedAt: meta.receivedAt });

  let type: MessageType;
  let event: string;
  let traits: TraitOps = EMPTY_TRAITS;
  let properties: JsonObject;
  const libMethod = text(lib?.$lib_method);
  if (profileOp !== undefined) {
    for (const k of CONTROL_PROPS) delete p[k];
    traits =
      profileOp === "set" ? traitOps(p, undefined, undefined, "properties")
      : profileOp === "setOnce" ? traitOps(null, p, undefined, "properties")
      : traitOps(null, undefined, Object.keys(p), "properties"); // profile_unset sends {key: true}
    // A person update claims no user id unless the SDK says the distinct id is a login id (posthog.wire.ts).
    type = userId !== null ? "identify" : "track";
    event = "$identify";
    properties = { $sa_type: saType };
  } else {
    const rawEvent = raw.event ?? (saType === "track_signup" ? "$SignUp" : saType === "track_id_bind" ? "$BindID" : null);
    if (typeof rawEvent !== "string" || rawEvent === "") throw new ItemError(`event: required for ${saType}`);
    if (rawEvent.length > MAX_EVENT_NAME_LENGTH) throw new ItemError(`event: longer than ${MAX_EVENT_NAME_LENGTH} characters`);
    for (const k of CONTROL_PROPS) delete p[k];
    properties = p;
    event = rawEvent;
    type = saType === "track_signup" ? "identify" : "track";
    if (saType === "track") {
      if (rawEvent === "$pageview" || rawEvent === "$MPViewScreen") {
        type = "page";
        event = "$pageview";
      } else if (rawEvent === "$AppViewScreen") {
        type = "screen";
        event = "$screen";
        const name = text(p.$screen_name) ?? text(p.$title);
        if (name) p.$screen_name = name;
      }
      if (event !== rawEvent) p.$sa_event = rawEvent;
    }
  }
  if (libMethod && properties.$lib_method === undefined) properties.$lib_method = libMethod;
  const scene = sceneOf(propsIn?.$scene);
  const context = contextOf(propsIn ?? {}, lib);
  if (scene !== null) {
    properties.$sa_scene = propsIn!.$scene!;
    properties.$scene = scene;
  }
  if (obj(context, "wechat") && scene !== null) context.wechat = { scene };
  // A mini program's or app's page has a path but no URL, which put_page_props needs: the path is the page.
  const path = str(obj(context, "page"), "path");
  if (path && !str(obj(context, "page"), "url") && properties.$pathname === undefined) properties.$pathname = path;

  const trackId = raw._track_id;
  const hasTrackId = typeof trackId === "number" || (typeof trackId === "string" && trackId !== "");
  const messageId =
    hasTrackId ? derivedId([project, String(trackId), time, saType, text(raw.event), distinct, previousId])
    : time !== null ? derivedId([project, "", time, saType, text(raw.event), distinct, previousId, JSON.stringify(raw.properties ?? null)])
    : messageIdOf(null);

  return {
    sourceId: meta.sourceId,
    sourceName: meta.sourceName,
    wire: meta.wire,
    type,
    event,
    messageId,
    userId,
    anonymousId,
    distinctId: null,
    previousId: null,
    groupId: null,
    groupType: null,
    groupTraits: null,
    identifiers,
    traits,
    properties,
    context,
    timestamp,
    receivedAt: meta.receivedAt,
    sentAt,
    originalTimestamp: time,
  };
}

/** isWebRequest tells the JS SDK's requests (their User-Agent is the user's browser) from apps' and servers'. */
export function isWebRequest(items: readonly Json[]): boolean {
  const first = items[0];
  if (!isObject(first)) return false;
  const lib = obj(first, "lib");
  const name = str(lib, "$lib") ?? str(obj(first, "properties"), "$lib");
  return name !== undefined && /^js$/i.test(name);
}
