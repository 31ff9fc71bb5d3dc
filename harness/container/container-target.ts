// Container targets: gateway software shipped as an image (a vendor's edge runtime, or our
// simulator packaged as one), started with testcontainers before the suite and stopped after,
// with its log kept as evidence.
//
// Offline rules (see notes/libraries.md §5):
//  - Ryuk (the reaper) and the host-detection helper would be pulled from Docker Hub, so this
//    module defaults TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=localhost
//    and cleans up itself (stop() here; CI teardown removes label org.testcontainers=true).
//  - Images are never pulled: a missing image is an error that says how to build it.
//  - Host networking only: the container's services listen on the host's loopback, nothing goes
//    to the Docker bridge range. (getMappedPort() does not work in host mode; use the profile's ports.)
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ContainerTarget } from '../profile/target-schema.js';

export type ContainerTargetSpec = z.infer<typeof ContainerTarget>;

/** Where the error message sends people for images this project knows how to build. */
const BUILD_HINTS: Record<string, string> = {
  'local/hil-gw-sim:dev': 'scripts/build-sim-image.sh',
};

export interface StartContainerOptions {
  /** Directory that relative bind-mount sources resolve against (the profile's directory). Default: cwd. */
  baseDir?: string;
  /** Environment that passEnv reads from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Used in the container name and label (the target profile's name). */
  targetName?: string;
  /** Extra labels on the container. */
  labels?: Record<string, string>;
  /** Every log line as it arrives, stdout and stderr merged (the runner can write these into the evidence log). */
  onLogLine?: (line: string) => void;
  /** Also append the raw log to this file (evidence attachment). */
  logFile?: string;
  /** Loopback TCP endpoints that must accept connections before the target counts as started. */
  waitForTcp?: { host: string; port: number }[];
  /** Grace period for SIGTERM in stop() before the engine kills the container. Default 10 s. */
  stopGraceMs?: number;
  /** Keep at most this many characters of log in memory (the tail). Default 8 MiB. */
  maxLogChars?: number;
}

export interface RunningContainerTarget {
  containerId: string;
  containerName: string;
  image: string;
  /** Everything the container wrote so far (stdout and stderr, in arrival order). */
  logs(): string;
  /** Resolves with the first log line matching `re` (already seen or future); rejects after timeoutMs. */
  waitForLogLine(re: RegExp, timeoutMs: number): Promise<string>;
  /** Stops (SIGTERM, then kill after the grace period) and removes the container. Idempotent, bounded. */
  stop(): Promise<void>;
}

export class ContainerTargetError extends Error {}

/** Default the testcontainers settings that keep it offline (set before the first client is made). */
export function applyOfflineTestcontainersDefaults(env: NodeJS.ProcessEnv = process.env): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
}

interface Bind {
  source: string;
  target: string;
  mode: 'ro' | 'rw';
}

/** "src:dst[:ro|rw]" with relative src resolved against baseDir. */
export function parseBind(spec: string, baseDir: string): Bind {
  const parts = spec.split(':');
  let mode: 'ro' | 'rw' = 'rw';
  if (parts.length === 3 && (parts[2] === 'ro' || parts[2] === 'rw')) mode = parts.pop() as 'ro' | 'rw';
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new ContainerTargetError(`bind "${spec}": expected "host-path:container-path[:ro|rw]"`);
  const [src, target] = parts as [string, string];
  if (!target.startsWith('/')) throw new ContainerTargetError(`bind "${spec}": the container path must be absolute`);
  return { source: isAbsolute(src) ? src : resolve(baseDir, src), target, mode };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ContainerTargetError(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolveOk) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolveOk(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * Starts the container a target profile names and waits until it is ready: the `waitForLog`
 * regex in its log, else the `waitForTcp` endpoints, else just "running".
 */
export async function startContainerTarget(spec: ContainerTargetSpec, opts: StartContainerOptions = {}): Promise<RunningContainerTarget> {
  applyOfflineTestcontainersDefaults();
  const { GenericContainer, Wait, ImageName, getContainerRuntimeClient } = await import('testcontainers');
  const env = opts.env ?? process.env;
  const baseDir = opts.baseDir ?? process.cwd();
  const maxLogChars = opts.maxLogChars ?? 8 * 1024 * 1024;
  const startupTimeoutMs = spec.startupTimeoutMs;

  for (const w of opts.waitForTcp ?? []) {
    if (!LOOPBACK.test(w.host)) throw new ContainerTargetError(`waitForTcp ${w.host}:${w.port}: container targets run with host networking; only loopback addresses are probed`);
  }

  const client = await withDeadline(getContainerRuntimeClient(), 20_000, 'connecting to the container engine').catch((e: Error) => {
    throw new ContainerTargetError(`no container engine answers (${e.message}); install docker.io and start it with scripts/docker-up.sh`);
  });
  const exists = await client.image.exists(ImageName.fromString(spec.image));
  if (!exists) {
    const hint = BUILD_HINTS[spec.image] ? `build it with ${BUILD_HINTS[spec.image]}` : 'build it locally or load it with `docker load`';
    throw new ContainerTargetError(`image ${spec.image} is not present locally and no registry is reachable; ${hint}`);
  }

  const environment: Record<string, string> = { ...spec.env };
  // Like `docker run -e NAME`: copied when set in the harness environment, left out when not.
  for (const name of spec.passEnv) {
    const v = env[name];
    if (v !== undefined) environment[name] = v;
  }

  const binds = spec.binds.map((b) => parseBind(b, baseDir));
  const safeName = (opts.targetName ?? 'target').replace(/[^A-Za-z0-9_.-]/g, '-');
  const containerName = `hil-${safeName}-${randomBytes(4).toString('hex')}`;

  // Log capture: the consumer gets the followed, demultiplexed stream (stdout and stderr merged)
  // from the moment the container starts, so the log is complete even if the wait fails.
  let log = '';
  let pending = '';
  const lineWaiters = new Set<{ re: RegExp; resolve: (l: string) => void }>();
  const seenLines: string[] = [];
  let file: WriteStream | undefined;
  if (opts.logFile) file = createWriteStream(opts.logFile, { flags: 'a' });
  let streamEnded: Promise<void> = Promise.resolve();
  const onLine = (line: string) => {
    if (seenLines.length < 10_000) seenLines.push(line);
    for (const w of lineWaiters) {
      if (w.re.test(line)) {
        lineWaiters.delete(w);
        w.resolve(line);
      }
    }
    opts.onLogLine?.(line);
  };
  const consume = (stream: Readable) => {
    streamEnded = new Promise<void>((done) => {
      stream.on('data', (chunk: Buffer | string) => {
        const text = chunk.toString();
        log = (log + text).slice(-maxLogChars);
        file?.write(text);
        pending += text;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          onLine(pending.slice(0, nl).replace(/\r$/, ''));
          pending = pending.slice(nl + 1);
        }
      });
      stream.once('end', () => done());
      stream.once('close', () => done());
      stream.once('error', () => done());
    });
  };

  let container = new GenericContainer(spec.image)
    .withName(containerName)
    .withNetworkMode('host')
    .withEnvironment(environment)
    .withLabels({ 'org.hil.target': safeName, ...opts.labels })
    .withStartupTimeout(startupTimeoutMs)
    .withLogConsumer(consume);
  if (spec.command) container = container.withCommand(spec.command);
  if (binds.length > 0) container = container.withBindMounts(binds);
  container = container.withWaitStrategy(spec.waitForLog ? Wait.forLogMessage(new RegExp(spec.waitForLog)) : Wait.forListeningPorts());

  const removeByName = async () => {
    try {
      const c = client.container.getById(containerName);
      await withDeadline(c.remove({ force: true, v: true }), 15_000, `removing container ${containerName}`);
    } catch {
      /* not there */
    }
  };

  const t0 = Date.now();
  let started: Awaited<ReturnType<typeof container.start>>;
  const starting = container.start();
  try {
    started = await withDeadline(starting, startupTimeoutMs + 15_000, `starting ${spec.image}`);
  } catch (e) {
    // If our deadline fired first, the start may still complete later: stop it then too.
    starting.then((c) => c.stop({ timeout: 0 }).catch(() => undefined), () => undefined);
    await removeByName();
    file?.end();
    const tail = log.split('\n').slice(-20).join('\n');
    throw new ContainerTargetError(`container target ${spec.image} did not start: ${(e as Error).message}${tail.trim() ? `\n--- container log (tail) ---\n${tail}` : ''}`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const grace = opts.stopGraceMs ?? 10_000;
      try {
        await withDeadline(started.stop({ timeout: grace, remove: true, removeVolumes: true }), grace + 20_000, `stopping ${containerName}`);
      } catch {
        await removeByName();
      }
      // The followed log stream ends when the container is gone; keep whatever it flushed.
      await withDeadline(streamEnded, 2_000, 'log stream').catch(() => undefined);
      if (pending) {
        onLine(pending);
        pending = '';
      }
      for (const w of lineWaiters) lineWaiters.delete(w);
      await new Promise<void>((r) => (file ? file.end(r) : r()));
    })();
    return stopping;
  };

  try {
    for (const w of opts.waitForTcp ?? []) {
      const deadline = t0 + startupTimeoutMs;
      while (!(await tcpAccepts(w.host, w.port, 1000))) {
        if (Date.now() > deadline) throw new ContainerTargetError(`${w.host}:${w.port} did not accept connections within ${startupTimeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    containerId: started.getId(),
    containerName,
    image: spec.image,
    logs: () => log,
    stop,
    waitForLogLine(re: RegExp, timeoutMs: number) {
      const seen = seenLines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolveLine, reject) => {
        const w = {
          re,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolveLine(l);
          },
        };
        const timer = setTimeout(() => {
          lineWaiters.delete(w);
          reject(new ContainerTargetError(`no log line matching ${re} within ${timeoutMs} ms`));
        }, timeoutMs);
        lineWaiters.add(w);
      });
    },
  };
}

/** Loopback TCP endpoints a profile declares (modbus tcp, mqtt, opcua, monitor), for waitForTcp. */
export function loopbackTcpEndpoints(urls: (string | undefined)[]): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const u of urls) {
    if (!u) continue;
    const m = /^[a-z.]+:\/\/\[?([^\]/:]+)\]?:(\d+)/i.exec(u);
    if (m && LOOPBACK.test(m[1]!)) out.push({ host: m[1]!, port: Number(m[2]) });
  }
  return out;
}
