/**
 * Ingest benchmark (issue 3): HTTP on loopback, batches of 100 Segment track events of ~400 bytes,
 * 32 connections, load generator on the same 2 cores. Prints the rate for each million events as the
 * database grows, p50/p99 acknowledgement latency, server RSS, and the ratio to a parse-only ceiling
 * measured in the same run. Not a test: figures only.
 *
 * Usage: bun scripts/bench-ingest.ts [--events 10000000] [--conns 32] [--batch 100] [--link 0.3] [--rate 80000] [--client fetch]
 *   --link: share of events that carry a new identity link (identify with a fresh anonymousId)
 *   --rate: offer this many events/s instead of as many as the server takes (closed loop); latency is then
 *           measured from each request's scheduled send time, so a stall is not hidden by sending less
 *           (wrk2's correction for coordinated omission)
 *   --client: `raw` (default) writes requests on keep-alive sockets, as wrk does; `fetch` uses Bun's fetch,
 *           a heavier client on the shared cores (parse-only ceiling 629k vs 847k ev/s, back to back)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1]!);
const EVENTS = Number(args.get("events") ?? 10_000_000);
const CONNS = Number(args.get("conns") ?? 32);
const BATCH = Number(args.get("batch") ?? 100);
const LINK = Number(args.get("link") ?? 0);
const RATE = Number(args.get("rate") ?? 0);
const CLIENT = args.get("client") ?? "raw";
const PERSONS = 1_000_000;
const WRITE_KEY = "wk_benchmark_key_0123456789";
const PARSE_ONLY_EVENTS = Math.min(EVENTS, 2_000_000);

const paths = ["/", "/products", "/products/42", "/cart", "/checkout", "/search?q=shoes", "/account"];
const names = ["page_view", "product_viewed", "add_to_cart", "search", "order_completed", "signup", "login"];

/** latin1 encodes an ASCII piece of a request once, for the writer to copy. */
const latin1 = (s: string): Uint8Array => Buffer.from(s, "latin1");
const UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15";
const LIB = `"context":{"library":{"name":"bench","version":"1.0.0"},"ip":"203.0.113.`;
// The pieces of one event between its varying numbers; names and paths share the index n % 7.
const TRACK_HEAD = names.map((e) => latin1(`{"type":"track","event":"${e}","userId":"u`));
const TRACK_PROPS = paths.map((p) => latin1(`","properties":{"path":"${p}","price":`));
const PRICES = Array.from({ length: 997 }, (_, i) => latin1(String(i / 10)));
const SKU = latin1(`,"product_id":"sku-`);
const TRACK_CONTEXT = latin1(`","currency":"CNY"},${LIB}`);
const TRACK_TAIL = latin1(`","userAgent":"${UA}"}}`);
const IDENTIFY_HEAD = latin1(`{"type":"identify","userId":"u`);
const ANON = latin1(`","anonymousId":"anon-`);
const IDENTIFY_TRAITS = latin1(`","traits":{"plan":"pro","city":"Shanghai"},${LIB}`);
const IDENTIFY_TAIL = latin1(`"}}`);
const MESSAGE_ID = latin1(`","messageId":"bench-`);
const TIMESTAMP = latin1(`","timestamp":"`);
const BATCH_HEAD = latin1(`{"batch":[`);
const SENT_AT = latin1(`],"sentAt":"`);
const BATCH_TAIL = latin1(`"}`);
const HEAD_ROOM = 512;

/**
 * RequestWriter writes one request of BATCH events with unique messageIds (~400 bytes per event) into a
 * buffer it reuses: the bytes a JSON template would give, without building strings per event, so the
 * load generator takes little of the two cores it shares with the server (as wrk, which replays bytes).
 * The HTTP head is written last, right before the body, once the body's length is known.
 */
class RequestWriter {
  readonly #buf = Buffer.alloc(HEAD_ROOM + BATCH * 600);
  readonly #times = Buffer.alloc(50 * 24);
  #pos = 0;

  /** body writes request `seq`'s body and returns where it starts and ends in the buffer. */
  body(seq: number): { buf: Buffer<ArrayBuffer>; start: number; end: number } {
    const now = Date.now();
    // Timestamps spread over the last 50 ms, as a client's queue would; ISO strings are 24 bytes.
    for (let j = 0; j < 50; j++) this.#times.write(new Date(now - j).toISOString(), j * 24, "latin1");
    this.#pos = HEAD_ROOM;
    this.#put(BATCH_HEAD);
    for (let k = 0; k < BATCH; k++) {
      const n = seq * BATCH + k;
      const user = ((n % PERSONS) * (2654435761 % PERSONS)) % PERSONS; // exact: the product stays below 2^53
      if (k > 0) this.#buf[this.#pos++] = 44; // ","
      if (LINK > 0 && (n % 1000) / 1000 < LINK) {
        this.#put(IDENTIFY_HEAD); this.#int(user);
        this.#put(ANON); this.#int(n);
        this.#event(n, k);
        this.#put(IDENTIFY_TRAITS); this.#int(n % 250);
        this.#put(IDENTIFY_TAIL);
      } else {
        this.#put(TRACK_HEAD[n % names.length]!); this.#int(user);
        this.#event(n, k);
        this.#put(TRACK_PROPS[n % paths.length]!); this.#put(PRICES[n % 997]!);
        this.#put(SKU); this.#int(n % 5000);
        this.#put(TRACK_CONTEXT); this.#int(n % 250);
        this.#put(TRACK_TAIL);
      }
    }
    this.#put(SENT_AT);
    this.#buf.write(new Date(now).toISOString(), this.#pos, "latin1");
    this.#pos += 24;
    this.#put(BATCH_TAIL);
    return { buf: this.#buf, start: HEAD_ROOM, end: this.#pos };
  }

  /** request writes the HTTP head in front of request `seq`'s body and returns the whole request. */
  request(seq: number, head: (length: number) => string): Uint8Array<ArrayBuffer> {
    const { start, end } = this.body(seq);
    const h = head(end - start);
    this.#buf.write(h, start - h.length, "latin1");
    return this.#buf.subarray(start - h.length, end);
  }

  /** event writes the messageId and timestamp every event has. */
  #event(n: number, k: number): void {
    this.#put(MESSAGE_ID); this.#int(n);
    this.#put(TIMESTAMP);
    const t = (k % 50) * 24;
    for (let i = 0; i < 24; i++) this.#buf[this.#pos++] = this.#times[t + i]!;
  }

  #put(piece: Uint8Array): void {
    this.#buf.set(piece, this.#pos);
    this.#pos += piece.length;
  }

  /** int writes a non-negative integer's decimal digits. */
  #int(v: number): void {
    let digits = 1;
    for (let x = v; x >= 10; x = (x / 10) | 0) digits++; // v < 2^31
    for (let i = digits - 1, x = v; i >= 0; i--, x = (x / 10) | 0) this.#buf[this.#pos + i] = 48 + (x % 10);
    this.#pos += digits;
  }
}

interface RunResult {
  events: number;
  ms: number;
  latencies: Float64Array;
  perMillion: number[];
  errors: number;
}

interface Answer {
  status: number;
  retryAfter: number;
}

/** fetchPost sends one request with Bun's fetch (`--client fetch`). */
async function fetchPost(url: URL, auth: string, body: Uint8Array<ArrayBuffer>): Promise<Answer> {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", authorization: auth } });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: Number(res.headers.get("retry-after") ?? 1) };
}

/**
 * Conn is one keep-alive HTTP/1.1 connection on a raw socket: a request is written whole and its
 * response read by Content-Length. Lighter than fetch (no client thread, no Request objects), so the load
 * generator takes less of the two cores it shares with the server, as wrk would.
 */
class Conn {
  #socket!: Bun.Socket<undefined>;
  #buf: Buffer = Buffer.alloc(0);
  #out: Uint8Array | null = null;
  #waiting: { resolve: (r: Answer) => void; reject: (e: Error) => void } | null = null;
  #closed = false;
  static async open(host: string, port: number): Promise<Conn> {
    const c = new Conn();
    c.#socket = await Bun.connect({
      hostname: host, port,
      socket: {
        data: (_s, chunk) => c.#data(chunk),
        drain: () => c.#flush(),
        close: () => {
          c.#closed = true;
          c.#waiting?.reject(new Error("connection closed"));
        },
        error: (_s, e) => c.#waiting?.reject(e),
      },
    });
    return c;
  }
  /** post sends one whole request (head and body); the bytes must stay as they are until it is answered. */
  post(request: Uint8Array): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error("connection closed"));
      this.#waiting = { resolve, reject };
      this.#out = request;
      this.#flush();
    });
  }
  close(): void {
    this.#socket.end();
  }
  #flush(): void {
    if (!this.#out) return;
    const n = this.#socket.write(this.#out);
    this.#out = n >= this.#out.length ? null : this.#out.subarray(Math.max(0, n));
  }
  #data(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]); // a copy: the socket may reuse `chunk`
    const end = this.#buf.indexOf("\r\n\r\n");
    if (end < 0) return;
    const head = this.#buf.toString("latin1", 0, end);
    const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.#buf.length < end + 4 + length) return;
    this.#buf = this.#buf.subarray(end + 4 + length);
    const w = this.#waiting!;
    this.#waiting = null;
    w.resolve({ status: Number(head.slice(9, 12)), retryAfter: Number(/retry-after:\s*(\d+)/i.exec(head)?.[1] ?? 1) });
  }
}

/** load sends `events` events with CONNS concurrent request loops and records latencies. */
async function load(url: string, events: number, paced = false, onMillion?: () => void): Promise<RunResult> {
  const requests = Math.ceil(events / BATCH);
  const latencies = new Float64Array(requests);
  const perMillion: number[] = [];
  let next = 0;
  let done = 0;
  let errors = 0;
  let markAt = performance.now();
  let markEvents = 0;
  const auth = `Basic ${btoa(`${WRITE_KEY}:`)}`;
  const t0 = performance.now();
  // With --rate, request i is due at t0 + i / (requests per ms); without, as soon as a connection is free.
  const perMs = RATE > 0 && paced ? RATE / BATCH / 1000 : 0;
  const target = new URL(url);
  const loop = async () => {
    const open = () => Conn.open(target.hostname, Number(target.port));
    let conn = CLIENT === "raw" ? await open() : null;
    const writer = new RequestWriter();
    const head = (length: number) =>
      `POST ${target.pathname} HTTP/1.1\r\nhost: ${target.host}\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    for (;;) {
      const i = next++;
      if (i >= requests) return conn?.close();
      let b: Uint8Array<ArrayBuffer>;
      if (conn) b = writer.request(i, head);
      else {
        const { buf, start, end } = writer.body(i);
        b = buf.subarray(start, end);
      }
      const due = perMs > 0 ? t0 + i / perMs : performance.now();
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const t = due;
      for (;;) {
        let answer: Answer;
        try {
          answer = conn ? await conn.post(b) : await fetchPost(target, auth, b);
        } catch (err) {
          if (!conn) throw err;
          // The server closed the connection (an idle timeout): send again on a new one; stored once by messageId.
          errors++;
          conn = await open();
          continue;
        }
        const { status, retryAfter } = answer;
        if (status === 200) break;
        errors++;
        if (status !== 503) throw new Error(`unexpected status ${status}`);
        await Bun.sleep(retryAfter * 100);
      }
      latencies[i] = performance.now() - t;
      done++;
      if (done * BATCH - markEvents >= 1_000_000) {
        const now = performance.now();
        perMillion.push(((done * BATCH - markEvents) / (now - markAt)) * 1000);
        onMillion?.();
        markAt = now;
        markEvents = done * BATCH;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNS }, loop));
  return { events: requests * BATCH, ms: performance.now() - t0, latencies, perMillion, errors };
}

function pct(a: Float64Array, p: number): number {
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function startServer(cmd: string[], env: Record<string, string>, port: number): Promise<Bun.Subprocess> {
  const proc = Bun.spawn(cmd, { env: { ...process.env, ...env }, stdout: "ignore", stderr: "inherit" });
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return proc;
    } catch {}
    await Bun.sleep(100);
  }
  proc.kill();
  throw new Error(`${cmd.join(" ")} did not become healthy on port ${port}`);
}

/** rssOf reads a process's peak (VmHWM) or current (VmRSS) resident set in MB. */
function rssOf(pid: number, field: "VmHWM" | "VmRSS" = "VmHWM"): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * cpuTicks reads a process's CPU time (user + system, in 10 ms ticks) on its main thread and on all its
 * other threads (store worker, collectors, SQLite's), so each million's cost can be told from the VM's speed.
 */
function cpuTicks(pid: number): { main: number; others: number } {
  const t = { main: 0, others: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      t[Number(tid) === pid ? "main" : "others"] += Number(f[11]) + Number(f[12]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return t;
}

// 1. Parse-only ceiling: the same HTTP stack and JSON parse, no storage.
const port1 = 18_000 + Math.floor(Math.random() * 1000);
const ceiling = await startServer(["bun", "-e", `Bun.serve({port:${port1},async fetch(r){if(new URL(r.url).pathname==="/healthz")return Response.json({ok:true});const b=await r.json();return Response.json({success:true,n:b.batch.length})}})`], {}, port1);
const parse = await load(`http://127.0.0.1:${port1}/v1/batch`, PARSE_ONLY_EVENTS);
ceiling.kill();
const ceilingRate = (parse.events / parse.ms) * 1000;
console.log(`parse-only ceiling: ${ceilingRate.toFixed(0)} ev/s (p99 ${pct(parse.latencies, 99).toFixed(1)} ms)`);

// 2. Tessera.
const dir = mkdtempSync(join(tmpdir(), "tessera-bench-ingest-"));
const port2 = port1 + 1;
// BENCH_PROFILE=1 writes a CPU profile of the server's main thread to .bench/profile, with a grep-friendly Markdown summary.
const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-md", "--cpu-prof-dir=.bench/profile"] : [];
// BENCH_PRELOAD=<file> runs a script inside the server first (bun --preload), e.g. one that logs heapStats() while it ingests.
const preload = process.env.BENCH_PRELOAD ? ["--preload", process.env.BENCH_PRELOAD] : [];
const server = await startServer(["bun", ...profile, ...preload, "src/main.ts", "serve"], {
  TESSERA_PORT: String(port2), TESSERA_HOST: "127.0.0.1", TESSERA_DATA_DIR: dir, TESSERA_WRITE_KEY: WRITE_KEY, TESSERA_LOG: "warn",
  // As `npm start` and the Docker image run the server (README, Configuration).
  MIMALLOC_PURGE_DELAY: process.env.MIMALLOC_PURGE_DELAY ?? "0",
}, port2);
// The peak alone depends on when the collector last ran; a sample per second shows the level it works at.
const samples: number[] = [];
const sampler = setInterval(() => samples.push(rssOf(server.pid, "VmRSS")), 1000);
const cpu = [cpuTicks(server.pid)];
const generator = process.cpuUsage();
const run = await load(`http://127.0.0.1:${port2}/v1/batch`, EVENTS, true, () => cpu.push(cpuTicks(server.pid)));
clearInterval(sampler);
const generatorCpu = process.cpuUsage(generator);
const rss = rssOf(server.pid);
const rssMedian = samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? 0;
server.kill("SIGTERM");
await server.exited;
const rate = (run.events / run.ms) * 1000;
console.log(`tessera: ${run.events} events in ${(run.ms / 1000).toFixed(1)} s = ${rate.toFixed(0)} ev/s, ${(rate / ceilingRate * 100).toFixed(0)}% of the parse-only ceiling`);
console.log(`per million: ${run.perMillion.map((r) => r.toFixed(0)).join(" · ")}`);
// Ticks of 10 ms per million events are microseconds per event divided by 100.
const perEvent = (c: { main: number; others: number }, i: number) =>
  `${(((c.main - cpu[i]!.main) * 10_000) / 1_000_000).toFixed(1)}/${(((c.others - cpu[i]!.others) * 10_000) / 1_000_000).toFixed(1)}`;
console.log(`server CPU µs per event, main thread / other threads: ${cpu.slice(1).map(perEvent).join(" · ")}; load generator ${((generatorCpu.user + generatorCpu.system) / run.events).toFixed(1)}`);
console.log(`ack latency: p50 ${pct(run.latencies, 50).toFixed(1)} ms, p90 ${pct(run.latencies, 90).toFixed(1)} ms, p99 ${pct(run.latencies, 99).toFixed(1)} ms, p99.9 ${pct(run.latencies, 99.9).toFixed(1)} ms; retries (503 or a closed connection): ${run.errors}`);
console.log(`server RSS: peak ${rss.toFixed(0)} MB, median of per-second samples ${rssMedian.toFixed(0)} MB, last ${(samples.at(-1) ?? 0).toFixed(0)} MB; connections ${CONNS}, batch ${BATCH}, link share ${LINK}${RATE ? `, offered ${RATE} ev/s` : ", closed loop"}`);
rmSync(dir, { recursive: true, force: true });
