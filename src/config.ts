/**
 * Config is the whole runtime configuration, read once from the environment at start (SPEC §1).
 * No other module reads `process.env`: everything else receives a `Config`.
 */
import { z } from "zod";

const Env = z.object({
  TESSERA_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  TESSERA_HOST: z
    .string()
    .default("0.0.0.0")
    .refine(isHost, "must be an IP address (0.0.0.0 for every interface, :: for IPv6) or a host name"),
  TESSERA_DATA_DIR: z.string().min(1).default("./data"),
  TESSERA_TIMEZONE: z
    .string()
    .default("Asia/Shanghai")
    .refine(isTimeZone, "must be an IANA time zone such as Asia/Shanghai or Europe/Berlin"),
  TESSERA_WEEK_START: z.enum(["monday", "sunday"]).default("monday"),
  // Values an operator sets are taken as they are (SPEC §1 sets no length); configWarnings says when one is
  // short enough to guess.
  TESSERA_ADMIN_TOKEN: z.string().optional(),
  TESSERA_WRITE_KEY: z.string().optional(),
  TESSERA_ADMIN_EMAIL: z.email("must be an e-mail address").optional(),
  TESSERA_ADMIN_PASSWORD: z.string().optional(),
  TESSERA_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/]{43}=?$/, "must be 32 bytes as 64 hex characters or base64")
    .optional(),
  TESSERA_LOG: z.enum(["debug", "info", "warn", "error"]).default("info"),
  TESSERA_SYNC: z.enum(["normal", "full"]).default("normal"),
});

export type WeekStart = "monday" | "sunday";

/** Config is the validated, frozen configuration. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly timezone: string;
  readonly weekStart: WeekStart;
  readonly adminToken?: string;
  readonly writeKey?: string;
  readonly adminEmail?: string;
  readonly adminPassword?: string;
  readonly secretKey?: string;
  readonly log: "debug" | "info" | "warn" | "error";
  /**
   * When an acknowledged commit reaches the disk: `normal` survives a crash of the process (the operating
   * system still holds the write), `full` also a power loss or an OS crash (an fsync per group commit).
   */
  readonly sync: "normal" | "full";
}

/** ConfigError names every variable that is wrong and what to set instead. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** SECRETS are the variables whose values stay out of error messages. */
const SECRETS = new Set(["TESSERA_SECRET_KEY", "TESSERA_ADMIN_TOKEN", "TESSERA_ADMIN_PASSWORD", "TESSERA_WRITE_KEY"]);

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** isHost accepts what Bun.serve can bind: an IPv4 or IPv6 address, or a host name. */
function isHost(h: string): boolean {
  if (z.ipv4().safeParse(h).success || z.ipv6().safeParse(h).success) return true;
  // Dotted all-digit names are IPv4 addresses or nothing (999.1.1.1 is not a host name).
  return HOSTNAME.test(h) && !/^[\d.]+$/.test(h);
}

/** isTimeZone reports whether `tz` is an IANA zone name the runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** configWarnings names the credentials set shorter than is safe to expose (logged at start, not refused). */
export function configWarnings(c: Config): string[] {
  const set: [string, string | undefined, number][] = [
    ["TESSERA_ADMIN_TOKEN", c.adminToken, 16],
    ["TESSERA_WRITE_KEY", c.writeKey, 8],
    ["TESSERA_ADMIN_PASSWORD", c.adminPassword, 10],
  ];
  return set
    .filter(([, value, shortest]) => value !== undefined && value.length < shortest)
    .map(([name, , shortest]) => `${name} is shorter than ${shortest} characters: anyone who can reach this server could guess it`);
}

/** loadConfig validates the environment; it throws a ConfigError that names each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(Env.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = Env.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      // A secret is never echoed: the message goes to logs that other people read.
      const shown = SECRETS.has(name) ? "<hidden>" : JSON.stringify(picked[name] ?? "");
      return `  ${name}=${shown}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration (see README "Configuration"):\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if ((e.TESSERA_ADMIN_EMAIL === undefined) !== (e.TESSERA_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      "invalid configuration: set both TESSERA_ADMIN_EMAIL and TESSERA_ADMIN_PASSWORD, or neither",
    );
  }
  return Object.freeze({
    port: e.TESSERA_PORT,
    host: e.TESSERA_HOST,
    dataDir: e.TESSERA_DATA_DIR,
    timezone: e.TESSERA_TIMEZONE,
    weekStart: e.TESSERA_WEEK_START,
    adminToken: e.TESSERA_ADMIN_TOKEN,
    writeKey: e.TESSERA_WRITE_KEY,
    adminEmail: e.TESSERA_ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.TESSERA_ADMIN_PASSWORD,
    secretKey: e.TESSERA_SECRET_KEY,
    log: e.TESSERA_LOG,
    sync: e.TESSERA_SYNC,
  });
}
