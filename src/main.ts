/**
 * The `tessera` command. Each sub-command is a row of COMMANDS; errors an operator can fix print one
 * clear line (configuration: exit 2; data directory, database, port: exit 1), never a bare stack trace.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createApiToken } from "./auth/api-tokens.ts";
import { audit } from "./auth/audit.ts";
import { RoleSchema } from "./auth/roles.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { demoInputs, importInto, progressDisplay } from "./cli/import.command.ts";
import type { ImportResult } from "./ingest/import.ts";
import { DEMO_SIZE } from "./demo/generate.ts";
import { seedDemo } from "./demo/seed.ts";
import { SECRET_KEY_FILE } from "./crypto/secret-key.ts";
import { backupDatabase } from "./db/backup.ts";
import { DB_FILE, openReader } from "./db/sqlite.ts";
import { createLogger } from "./log.ts";
import { closeCore, openCore, startServer, StartupError } from "./server.ts";

interface Command {
  usage: string;
  summary: string;
  run(config: Config, args: string[]): Promise<number>;
}

/** UsageError is a wrong command line; it prints the usage and exits 64 (EX_USAGE). */
class UsageError extends Error {}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: "tessera serve",
    summary: "serve the dashboard, ingestion and management API (default)",
    async run(config) {
      const running = await startServer(config);
      await new Promise<void>((done) => {
        let stopping = false;
        const shutdown = (signal: string) => {
          if (stopping) {
            // A second signal means "now": skip the flush rather than hang an impatient operator.
            running.deps.log.warn("second signal: exiting without a clean shutdown", { signal });
            process.exit(1);
          }
          stopping = true;
          running.deps.log.info("shutting down", { signal });
          running.stop().then(done, (e) => {
            running.deps.log.error("shutdown failed", { error: String(e) });
            done();
          });
        };
        process.on("SIGTERM", () => shutdown("SIGTERM"));
        process.on("SIGINT", () => shutdown("SIGINT"));
      });
      running.deps.log.info("stopped cleanly");
      return 0;
    },
  },
  migrate: {
    usage: "tessera migrate",
    summary: "create or upgrade the database in TESSERA_DATA_DIR, then exit",
    async run(config) {
      const core = openCore(config, createLogger(config.log));
      closeCore(core);
      console.log(`database ${resolve(config.dataDir, DB_FILE)} is up to date`);
      return 0;
    },
  },
  backup: {
    usage: "tessera backup FILE",
    summary: "write a consistent copy of the database to FILE while the server may be running",
    async run(config, args) {
      const [target, ...rest] = args;
      if (target === undefined || rest.length > 0) throw new UsageError("backup needs exactly one FILE");
      const source = resolve(config.dataDir, DB_FILE);
      if (!existsSync(source)) throw new StartupError(`there is no database at ${source}; check TESSERA_DATA_DIR`);
      const db = openReader(source);
      try {
        const { bytes } = backupDatabase(db, resolve(target));
        console.log(`backup written to ${resolve(target)} (${bytes} bytes)`);
        // On stderr: stdout stays the one line a script may parse; the reminder is for the person.
        const key = config.secretKey !== undefined ? "the value of TESSERA_SECRET_KEY" : join(resolve(config.dataDir), SECRET_KEY_FILE);
        console.error(`the backup needs ${SECRET_KEY_FILE} too: keep ${key} with it. Without that key its encrypted values cannot be read and Tessera refuses to start on it.`);
      } finally {
        db.close();
      }
      return 0;
    },
  },
  token: {
    usage: "tessera token create --role admin|analyst|operator --name NAME",
    summary: "create an API token and print it once",
    async run(config, args) {
      const { positionals, values } = parseArgs({ args, options: { role: { type: "string", default: "admin" }, name: { type: "string" } }, allowPositionals: true });
      if (positionals[0] !== "create" || positionals.length !== 1) throw new UsageError("the only token sub-command is: token create");
      const role = RoleSchema.safeParse(values.role);
      if (!role.success) throw new UsageError(`--role must be admin, analyst or operator, not ${values.role}`);
      if (!values.name?.trim()) throw new UsageError("--name is required (it tells tokens apart in the dashboard)");
      // Also while the server runs (`docker exec … tessera token create`): a token is one row.
      const core = openCore(config, createLogger(config.log), { besideServer: true });
      try {
        const t = await createApiToken(core.kdb, { name: values.name.trim(), role: role.data, createdBy: "cli" }, core.now());
        await audit(core.kdb, { actor: "cli", action: "token.created", target: `token:${t.name}#${t.id}`, detail: { role: t.role } }, core.now());
        console.error(`created ${t.role} token "${t.name}"; it is shown only now:`);
        console.log(t.token);
      } finally {
        closeCore(core);
      }
      return 0;
    },
  },
  import: {
    usage: "tessera import FILE.ndjson[.gz]|- [--source NAME]",
    summary: "stream Segment-shaped events (one per line) from FILE or stdin (-) into the data directory",
    async run(config, args) {
      const { positionals, values } = parseArgs({ args, options: { source: { type: "string", default: "import" } }, allowPositionals: true });
      const [file, ...rest] = positionals;
      if (file === undefined || rest.length > 0) throw new UsageError("import needs exactly one FILE (or - for stdin)");
      if (file !== "-" && !existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const input = file === "-" ? Bun.stdin.stream() : resolve(file);
      const progress = progressDisplay(process.stderr, Date.now());
      // A log line or the final error starts below a progress line drawn in place, not inside it.
      const log = createLogger(config.log, (line) => {
        progress.below();
        process.stderr.write(`${line}\n`);
      });
      let r: ImportResult;
      try {
        r = await importInto(config, log, [{ input, sourceName: values.source! }], progress.draw);
      } finally {
        progress.below();
      }
      for (const e of r.errors.slice(0, 20)) console.error(`line ${e.line}: ${e.error}`);
      const seen = r.duplicates > 0 ? `, ${r.duplicates} of them already stored` : "";
      console.log(`imported ${r.accepted} of ${r.lines} lines into source "${values.source}"${seen} (${r.rejected} rejected, ${r.dropped} dropped by policy)`);
      return r.rejected > 0 && r.accepted === 0 ? 1 : 0;
    },
  },
  demo: {
    usage: "tessera demo [--persons N]",
    summary: "load the demo data set (~50k people, ~1M events over 90 days, seven channels)",
    async run(config, args) {
      const { values } = parseArgs({ args, options: { persons: { type: "string" } } });
      const persons = values.persons === undefined ? DEMO_SIZE.persons : Number(values.persons);
      if (!Number.isInteger(persons) || persons < 1 || persons > 1_000_000) throw new UsageError("--persons must be a whole number from 1 to 1000000");
      const started = Date.now();
      const size = { persons, events: Math.round((DEMO_SIZE.events * persons) / DEMO_SIZE.persons) };
      const progress = progressDisplay(process.stderr, started);
      let r: ImportResult;
      try {
        r = await importInto(config, createLogger(config.log), demoInputs(started, size), progress.draw, async (ctx) => {
          progress.below();
          console.error("computing the demo's tags and audience packs (one nightly run)…");
          await seedDemo(ctx);
        });
      } finally {
        progress.below();
      }
      console.log(`demo data loaded: ${r.accepted} events, tags and audience packs computed, in ${((Date.now() - started) / 1000).toFixed(0)} s. Start the server (tessera serve) and open the dashboard.`);
      return 0;
    },
  },
  healthcheck: {
    usage: "tessera healthcheck",
    summary: "exit 0 when the server on TESSERA_PORT answers /healthz (Docker HEALTHCHECK)",
    async run(config) {
      const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
      const url = `http://${host.includes(":") ? `[${host}]` : host}:${config.port}/healthz`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
        console.log(`${url}: ${res.status}`);
        return res.status === 200 ? 0 : 1;
      } catch (e) {
        console.log(`${url}: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
      }
    },
  },
};

function usage(): string {
  const w = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return `usage:\n${Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(w)}  ${c.summary}`).join("\n")}\n\nConfiguration comes from TESSERA_* environment variables (see README).`;
}

async function main(argv: string[]): Promise<number> {
  const [name = "serve", ...args] = argv;
  if (name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`tessera: unknown command "${name}"\n${usage()}`);
    return 64;
  }
  try {
    const config = loadConfig();
    return await command.run(config, args);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`tessera: ${e.message}`);
      return 2;
    }
    if (e instanceof StartupError) {
      console.error(`tessera: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      console.error(`tessera: ${e.message}\n${usage()}`);
      return 64;
    }
    console.error(`tessera: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

process.exit(await main(process.argv.slice(2)));
