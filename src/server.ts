/**
 * startServer is the appliance's life cycle: data directory → database (integrity check, migrations) →
 * secret key → bootstrap from the environment → jobs → HTTP; and the reverse on stop(). Every failure a
 * person can fix (unwritable directory, corrupt file, bad key) becomes a StartupError whose message says
 * what is wrong and what to do; main.ts prints it without a stack.
 */
import type { Database } from "bun:sqlite";
import { mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createLoginLimits } from "./auth/rate-limit.ts";
import { SetupGate } from "./auth/setup.ts";
import { countUsers, ensureAdmin } from "./auth/users.ts";
import { configWarnings, type Config } from "./config.ts";
import { createCrypto } from "./crypto/crypto.ts";
import { loadCheckedSecretKey } from "./crypto/key-check.ts";
import { createKysely } from "./db/kysely.ts";
import { migrate } from "./db/migrate.ts";
import { DB_FILE, integrityCheck, openWriter } from "./db/sqlite.ts";
import { DataDirBusy, lockDataDir } from "./data-lock.ts";
import type { CoreDeps } from "./deps.ts";
import { openEvents, type Events } from "./events.ts";
import { createApp } from "./http/app.ts";
import type { AppDeps } from "./http/deps.ts";
import { findWebRoot } from "./http/static.ts";
import type { Job } from "./jobs/job.ts";
import { jobs as allJobs } from "./jobs/registry.ts";
import { Scheduler } from "./jobs/scheduler.ts";
import { createLogger, type Logger } from "./log.ts";
import { getSettings } from "./settings/settings.ts";
import { ensureDefaultSource } from "./sources/sources.ts";

/** StartupError is a failure the operator can fix; `exitCode` is what the process should exit with. */
export class StartupError extends Error {
  override name = "StartupError";
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** diskFull tells a full disk from the failures it would otherwise look like (corruption, permissions, a lock). */
function diskFull(e: unknown): boolean {
  const code = String((e as { code?: unknown })?.code ?? "");
  return code === "ENOSPC" || code === "EDQUOT" || code === "SQLITE_FULL";
}

/** fullDisk is the one message for a start that ran out of space, whichever step it was in. */
const fullDisk = (dir: string) =>
  new StartupError(`the disk holding ${dir} is full. Free space on it (or grow the volume) and start again; every event already acknowledged is in the database.`);

/** openDataDir creates the data directory if needed and proves it is writable. */
export function openDataDir(dir: string): string {
  const abs = resolve(dir);
  try {
    mkdirSync(abs, { recursive: true });
    const probe = join(abs, `.write-test-${process.pid}`);
    writeFileSync(probe, "");
    unlinkSync(probe);
  } catch (e) {
    if (diskFull(e)) throw fullDisk(abs);
    throw new StartupError(`the data directory ${abs} is not writable (${reason(e)}). Point TESSERA_DATA_DIR at a writable directory or fix its owner/permissions (the container runs as uid 65532).`);
  }
  return abs;
}

/** openDatabase opens the writer, checks the file and applies migrations. */
export function openDatabase(file: string): Database {
  let db: Database | undefined;
  try {
    db = openWriter(file);
    const problem = integrityCheck(db);
    if (problem !== null) throw new Error(problem);
  } catch (e) {
    db?.close();
    if (diskFull(e)) throw fullDisk(dirname(file));
    throw new StartupError(`the database file ${file} is corrupt or not a Tessera database (${reason(e)}). Restore it from a backup (tessera backup FILE), or move it away to start with an empty database.`);
  }
  try {
    migrate(db);
  } catch (e) {
    db.close();
    if (diskFull(e)) throw fullDisk(dirname(file));
    throw new StartupError(`cannot migrate ${file}: ${reason(e)}`);
  }
  return db;
}

const releases = new WeakMap<CoreDeps, () => void>();

/**
 * openCore opens everything a command needs that is not HTTP: directory (locked), database, key, Kysely.
 * `besideServer` lets a command that only writes a few rows of its own (`token create`) run next to a
 * server holding the directory: SQLite's locking keeps the two writers apart, and the server already
 * checked and migrated the database.
 */
export function openCore(config: Config, log: Logger, opts: { besideServer?: boolean } = {}): CoreDeps {
  const dataDir = openDataDir(config.dataDir);
  let release: (() => void) | null;
  try {
    release = lockDataDir(dataDir);
  } catch (e) {
    if (diskFull(e)) throw fullDisk(dataDir);
    if (!(opts.besideServer && e instanceof DataDirBusy)) {
      throw new StartupError(`${reason(e)} (${dataDir}). Stop it first, or send data to it over HTTP (POST /v1/batch) instead.`);
    }
    release = null;
  }
  let db: Database;
  try {
    db = release ? openDatabase(join(dataDir, DB_FILE)) : openWriter(join(dataDir, DB_FILE));
  } catch (e) {
    release?.();
    throw e;
  }
  let key: Uint8Array;
  try {
    key = loadCheckedSecretKey(db, { secretKey: config.secretKey, dataDir }, (m) => log.warn(m));
  } catch (e) {
    db.close();
    release?.();
    throw diskFull(e) ? fullDisk(dataDir) : new StartupError(`cannot load the secret key: ${reason(e)}`);
  }
  const core: CoreDeps = { db, kdb: createKysely(db), config, crypto: createCrypto(key), log, now: Date.now };
  if (release) releases.set(core, release);
  return core;
}

/** closeCore checkpoints the WAL into the main file (a clean, single-file state) and closes. */
export function closeCore(core: CoreDeps): void {
  // Beside a running server the WAL is the server's to checkpoint.
  if (!releases.has(core)) {
    core.db.close();
    return;
  }
  try {
    core.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (e) {
    // On a full disk the WAL stays as it is: it is already durable, and the next start reads it.
    if (!diskFull(e)) throw e;
  } finally {
    core.db.close();
    releases.get(core)?.();
  }
}

export interface StartOptions {
  log?: Logger;
  jobs?: readonly Job[];
  /** webRoot overrides where the dashboard is served from (null: none). */
  webRoot?: string | null;
}

/** RunningServer is a started appliance. */
export interface RunningServer {
  readonly url: URL;
  readonly deps: AppDeps;
  /** stop stops accepting, waits for running jobs, flushes the store, checkpoints and closes the database. */
  stop(): Promise<void>;
}

/** startServer starts the whole appliance; see the file comment for the order. */
export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.log);
  const core = openCore(config, log);
  let events: Events | undefined;
  let ready = false;
  let server: ReturnType<typeof Bun.serve> | undefined;
  let scheduler: Scheduler | undefined;

  // Reverse of start: no new requests, no new or running jobs, then the rooms (the store flushes), then the file.
  const stop = async () => {
    ready = false;
    await server?.stop();
    await scheduler?.stop();
    try {
      await events?.close();
    } catch (e) {
      log.error("closing the event store failed", { error: reason(e) });
    }
    closeCore(core);
  };

  try {
    events = await openEvents(core);

    const setup = new SetupGate();
    const { needsSetup } = await bootstrap(core);

    const settings = await getSettings(core.kdb, config);
    scheduler = new Scheduler(opts.jobs ?? allJobs, { ...core, events }, settings.timezone);
    const deps: AppDeps = {
      ...core,
      ready: () => ready,
      setup,
      limits: createLoginLimits(),
      scheduler,
      webRoot: opts.webRoot === undefined ? findWebRoot() : opts.webRoot,
      events,
    };
    if (deps.webRoot === null) log.warn("the dashboard is not built; run `bun scripts/build-web.ts` (npm start does it)");
    const app = createApp(deps);
    try {
      server = Bun.serve({
        port: config.port, hostname: config.host, fetch: app.fetch, maxRequestBodySize: 16 * 1024 * 1024,
        // Bun closes a connection silent for 10 s by default: a manual job run waits up to 60 s for its answer
        // and a long query or pack computation can think for longer than 10 s before answering.
        idleTimeout: 120,
      });
    } catch (e) {
      throw new StartupError(`cannot listen on ${config.host}:${config.port} (${reason(e)}). Set TESSERA_PORT to a free port.`);
    }
    await scheduler.start();
    // Loading the identity index and the dedup set left a lot of short-lived garbage: collect it now rather
    // than letting the heap grow under the first load.
    Bun.gc(true);
    ready = true;
    const url = new URL(`http://${config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host}:${server.port}/`);
    log.info("tessera is listening", { url: url.href, dataDir: resolve(config.dataDir) });
    for (const w of configWarnings(config)) log.warn(w);
    if (needsSetup) {
      // Issued after listening, so the log line can name the URL to open.
      const code = setup.issue();
      log.warn(`FIRST RUN: open ${url.href} and create the admin account with this one-time setup code: ${code}`);
    }
    return { url, deps, stop };
  } catch (e) {
    await stop().catch(() => {});
    throw diskFull(e) ? fullDisk(core.config.dataDir) : e;
  }
}

/**
 * bootstrap makes the environment's promises true (SPEC §1): TESSERA_ADMIN_EMAIL/PASSWORD → that admin
 * exists; TESSERA_WRITE_KEY → source `default` has that key; no user at all → the setup gate must open.
 */
async function bootstrap(core: CoreDeps): Promise<{ needsSetup: boolean }> {
  const { config, kdb, db, crypto, log } = core;
  if (config.adminEmail !== undefined && config.adminPassword !== undefined) {
    await ensureAdmin(kdb, config.adminEmail, config.adminPassword, core.now(), log);
  }
  if (config.writeKey !== undefined) await ensureDefaultSource(db, kdb, crypto, config.writeKey, core.now(), log);
  return { needsSetup: (await countUsers(kdb)) === 0 };
}
