/**
 * apply_ip_policy: the client address is `context.ip` (or PostHog `$ip`), else the peer address when the peer
 * is the user (browser routes, or Segment's `context.direct: true`); server SDK peers are our customer's
 * servers, not people. The source's policy then keeps it, truncates it (IPv4 /24, IPv6 /48) or drops it; the
 * result is stored as `$ip` and written back to `context.ip`. Unparseable addresses are dropped.
 */
import { isIP } from "node:net";
import { str } from "../json.ts";
import type { SourceSettings } from "../source.ts";
import type { Step } from "./step.ts";

/** applyIpPolicy returns the address to store under `policy`, or null. */
export function applyIpPolicy(ip: string, policy: SourceSettings["ipPolicy"]): string | null {
  let a = ip.trim();
  if (a.startsWith("::ffff:") && isIP(a.slice(7)) === 4) a = a.slice(7);
  const family = isIP(a);
  if (family === 0 || policy === "drop") return null;
  if (policy === "keep") return a;
  if (family === 4) return a.replace(/\.\d+$/, ".0");
  return truncateV6(a);
}

function truncateV6(a: string): string {
  const [head = "", tail = ""] = a.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = a.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  const kept = groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, "").toLowerCase());
  return `${kept.join(":")}::`;
}

/**
 * Recent answers per policy, by address: a client sends many events from one address, and parsing it again
 * for each was ~1.5% of the main thread's profile at full ingest rate (a key joining policy and address cost
 * ~1% more, in building the string). Bounded by emptying a policy's map when full.
 */
const recent = new Map<SourceSettings["ipPolicy"], Map<string, string | null>>();

function cachedIpPolicy(ip: string, policy: SourceSettings["ipPolicy"]): string | null {
  let answers = recent.get(policy);
  if (!answers) recent.set(policy, (answers = new Map()));
  let answer = answers.get(ip);
  if (answer === undefined) {
    if (answers.size >= 10_000) answers.clear();
    answers.set(ip, (answer = applyIpPolicy(ip, policy)));
  }
  return answer;
}

export const ipPolicyStep: Step = {
  name: "apply_ip_policy",
  run(msg, ctx) {
    const peer = ctx.browserRoute || msg.context.direct === true ? ctx.peerIp : null;
    const raw = str(msg.context, "ip") ?? peer;
    const p = msg.properties;
    delete p.$ip;
    if (!raw) {
      delete msg.context.ip;
      return msg;
    }
    const ip = cachedIpPolicy(raw, ctx.source.settings.ipPolicy);
    if (ip === null) delete msg.context.ip;
    else {
      msg.context.ip = ip;
      p.$ip = ip;
    }
    return msg;
  },
};
