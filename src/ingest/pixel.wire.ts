/**
 * Pixels (SD-pixel, RS-px, GoatCounter's /count): `GET /v1/pixel/<type>?data=<base64 JSON>`, the unencoded
 * form with dot paths (`?userId=…&event=Opened&properties.subject=…&writeKey=…`), RudderStack's
 * `/pixel/v1/<type>` and our `/t.gif`. The result is a Segment message, so it takes the same validation path.
 */
import { decodeBase64, parseJson, queryToObject, utf8 } from "./decode.ts";
import { IngestError } from "./errors.ts";
import { isObject, type JsonObject } from "./json.ts";
import { isMessageType, type MessageType } from "./message.ts";

const KEY_PARAMS = new Set(["writeKey", "writekey", "write_key", "data", "_", "cb"]);

/** PixelItem is the message a pixel request describes and the write key found inside it. */
export interface PixelItem {
  readonly item: JsonObject;
  readonly bodyWriteKey: string | null;
  readonly type: MessageType;
}

/**
 * pixelItem reads the query. `routeType` comes from the path; without it (`/t.gif`) the `type` parameter
 * decides, else `track` when there is an `event`, else `page`.
 */
export function pixelItem(params: URLSearchParams, routeType: MessageType | null): PixelItem {
  let item: JsonObject;
  const data = params.get("data");
  if (data !== null) {
    const bytes = decodeBase64(data);
    if (!bytes) throw new IngestError(400, "data: not base64");
    const json = parseJson(utf8(bytes, "data"), "data");
    if (!isObject(json)) throw new IngestError(400, "data: must encode a JSON object");
    item = json;
  } else item = queryToObject(params, KEY_PARAMS);
  const key = item.writeKey;
  delete item.writeKey;
  const t = item.type;
  const type =
    routeType ??
    (isMessageType(t) ? t : null) ??
    (item.event ? "track" : "page");
  return { item, bodyWriteKey: typeof key === "string" && key !== "" ? key : null, type };
}
