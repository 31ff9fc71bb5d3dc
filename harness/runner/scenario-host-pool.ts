import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledTree, repoRoot, siblingModuleUrl } from '../core/module-tree.js';
import type { ParsedProfileText } from '../profile/load-target.js';
import type { HostJob, HostMessage, ParentMessage } from './host-protocol.js';
import type { ProgressEvent } from './progress-event.js';
import { RUN_ENV } from './run-environment.js';

const require = createRequire(import.meta.url);
const hostFile = fileURLToPath(siblingModuleUrl(import.meta.url, 'scenario-host'));
/** From the sources the host needs tsx's loader; the compiled tree runs as it is. */
const hostArgs = compiledTree ? [hostFile] : ['--import', pathToFileURL(require.resolve('tsx/esm')).href, hostFile];
/** After a deadline or a cancel, how long the host may take to end the job (teardown included) before it is killed. */
const ABORT_GRACE_MS = 20_000;
/**
 * An idle host lingers this long for the next job: the next target of the same run (`--parallel`
 * below the target count), or the first job of a host started early while the CLI validates.
 */
const IDLE_LINGER_MS = 5_000;

export interface JobOptions {
  runDir: string;
  runId: string;
  files: string[];
  /** The profile text as the parent parsed it (HostJob.profile). */
  profile?: ParsedProfileText;
  env: NodeJS.ProcessEnv;
  /** Hard stop for the job: the sum of the scenarios' budgets plus slack. */
  deadlineMs: number;
  signal?: AbortSignal;
  onProgress: (e: ProgressEvent) => void;
}

export interface JobExit {
  /** Why the job ended early, if it did. */
  ended: 'done' | 'deadline' | 'cancelled' | 'host-died';
  /** The host's exit code or signal when it died under the job. */
  hostExit?: string;
  /** Host output that was not protocol (a library's complaints, stray errors), for the evidence. */
  output: string;
}

interface Running {
  opts: JobOptions;
  output: string;
  ended?: JobExit['ended'];
  resolve: (e: JobExit) => void;
}

/** One scenario host process and the jobs it is running. */
class ScenarioHost {
  readonly child: ChildProcess;
  readonly jobs = new Map<string, Running>();
  private idleTimer: NodeJS.Timeout | undefined;
  private exited = false;
  private stopping = false;
  /** Jobs are sent once the host has loaded and listens (a message before that could be lost). */
  private readonly ready: Promise<void>;

  constructor(
    env: NodeJS.ProcessEnv,
    private readonly onGone: (h: ScenarioHost) => void,
  ) {
    this.child = spawn(process.execPath, hostArgs, {
      cwd: repoRoot,
      env: { ...env, [RUN_ENV.parentPid]: String(process.pid), NODEOPCUA_LOG_LEVEL: env.NODEOPCUA_LOG_LEVEL ?? '3', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (s: string) => this.toAll(s);
    this.child.stdout!.setEncoding('utf8').on('data', keep);
    this.child.stderr!.setEncoding('utf8').on('data', keep);
    this.ready = new Promise((res) => this.child.on('message', (m: HostMessage) => (m.type === 'ready' ? res() : this.onMessage(m))));
    this.idle();
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      clearTimeout(this.idleTimer);
      for (const [key, r] of this.jobs) this.finish(key, r.ended ?? 'host-died', `${code ?? signal}`);
      this.onGone(this);
    });
  }

  /** What keeps this process's event loop alive on the host's behalf: the process, its IPC channel, its output pipes. */
  private get handles(): ({ ref(): unknown; unref(): unknown } | null | undefined)[] {
    return [this.child, this.child.channel, this.child.stdout as Socket | null, this.child.stderr as Socket | null];
  }

  get load(): number {
    return this.jobs.size;
  }

  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  run(key: string, opts: JobOptions): Promise<JobExit> {
    clearTimeout(this.idleTimer);
    for (const h of this.handles) h?.ref();
    return new Promise((resolve) => {
      const r: Running = { opts, output: '', resolve };
      this.jobs.set(key, r);
      const abort = (reason: 'deadline' | 'cancel') => {
        if (r.ended || !this.jobs.has(key)) return;
        r.ended = reason === 'deadline' ? 'deadline' : 'cancelled';
        if (this.child.connected) this.send({ type: 'abort', key, reason });
        // Teardown gets its grace; a host that does not end the job by then is stopped (with every job on it).
        setTimeout(() => this.jobs.has(key) && this.kill(), ABORT_GRACE_MS).unref();
      };
      const timer = setTimeout(() => abort('deadline'), opts.deadlineMs);
      const onCancel = () => abort('cancel');
      opts.signal?.addEventListener('abort', onCancel, { once: true });
      r.resolve = (e) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onCancel);
        resolve(e);
      };
      const job: HostJob = { key, runDir: opts.runDir, runId: opts.runId, files: opts.files, profile: opts.profile };
      if (opts.signal?.aborted) onCancel();
      void this.ready.then(() => {
        // Cancelled or out of time before the host was up: nothing was sent, nothing to end.
        if (r.ended) this.finish(key, r.ended);
        else this.send({ type: 'run', job });
      });
    });
  }

  kill(): void {
    if (this.exited) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
    setTimeout(() => !this.exited && this.child.kill('SIGKILL'), 5_000).unref();
  }

  private send(m: ParentMessage): void {
    if (this.child.connected) this.child.send(m);
  }

  private toAll(s: string): void {
    for (const r of this.jobs.values()) {
      r.output += s;
      if (r.output.length > 200_000) r.output = r.output.slice(-100_000);
    }
  }

  private onMessage(m: HostMessage): void {
    if (m.type === 'progress') this.jobs.get(m.key)?.opts.onProgress(m.progress);
    else if (m.type === 'stray') this.toAll(m.text);
    else if (m.type === 'done') {
      const r = this.jobs.get(m.key);
      if (r && m.error) r.output += `job failed: ${m.error}\n`;
      this.finish(m.key, r?.ended ?? 'done');
    }
  }

  private finish(key: string, ended: JobExit['ended'], hostExit?: string): void {
    const r = this.jobs.get(key);
    if (!r) return;
    this.jobs.delete(key);
    r.resolve({ ended, output: r.output, ...(hostExit ? { hostExit } : {}) });
    if (!this.jobs.size) this.idle();
  }

  /** No job: `hil run` may exit without waiting for the host; it ends unless a job comes soon. */
  private idle(): void {
    if (this.exited) return;
    for (const h of this.handles) h?.unref();
    this.idleTimer = setTimeout(() => this.kill(), IDLE_LINGER_MS);
    this.idleTimer.unref();
  }
}

/**
 * The scenario hosts of this process: at most one per core, each running many targets' jobs at
 * once; a new job goes to the least loaded host for its environment (secrets travel only in a
 * host's environment, so targets with different environments never share one).
 */
class ScenarioHostPool {
  private readonly hosts = new Map<NodeJS.ProcessEnv, ScenarioHost[]>();
  private seq = 0;

  constructor(private readonly maxHosts = Math.max(1, availableParallelism())) {}

  run(opts: JobOptions): Promise<JobExit> {
    return this.pick(opts.env).run(`job-${++this.seq}`, opts);
  }

  /** Start a host for `env` now, so it loads while the caller validates its targets. */
  prewarm(env: NodeJS.ProcessEnv): void {
    const live = (this.hosts.get(env) ?? []).filter((h) => h.alive);
    if (!live.length) this.pick(env);
  }

  private pick(env: NodeJS.ProcessEnv): ScenarioHost {
    const list = this.hosts.get(env) ?? [];
    this.hosts.set(env, list);
    const live = list.filter((h) => h.alive);
    const idle = live.find((h) => h.load === 0);
    if (idle) return idle;
    if (live.length < this.maxHosts) {
      const h = new ScenarioHost(env, (gone) => {
        const l = this.hosts.get(env);
        if (l?.includes(gone)) l.splice(l.indexOf(gone), 1);
        if (l && !l.length) this.hosts.delete(env);
      });
      list.push(h);
      return h;
    }
    return live.reduce((a, b) => (b.load < a.load ? b : a));
  }
}

const pool = new ScenarioHostPool();

/** Run one target's scenario files in a scenario host and stream its progress. */
export function runScenarioJob(opts: JobOptions): Promise<JobExit> {
  return pool.run(opts);
}

/**
 * Start the scenario host for `env` ahead of the first job: it loads (node, the loader, the
 * protocol libraries) while the caller validates profiles and secrets. It sends nothing to any
 * device; unused, it ends by itself and never keeps `hil` from exiting.
 */
export function prewarmScenarioHost(env: NodeJS.ProcessEnv): void {
  pool.prewarm(env);
}
