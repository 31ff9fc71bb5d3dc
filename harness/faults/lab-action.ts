/**
 * Lab actions the profile names (stop/start the upstream broker, a relay, a PDU outlet): a shell
 * command run with zx, or an in-process hook that bench code registered by name (the harness's
 * own tests register the mosquitto fixture's stop/start). A hook is only visible in the process
 * that registered it: under `hil run` (scenario workers) use commands.
 */
import { $ } from 'zx';
import type { LabAction } from '../profile/target-schema.js';

type Hook = () => Promise<void> | void;
const hooks = new Map<string, Hook>();

/** Register (or replace) a named hook; returns a function that removes it. */
export function registerLabHook(name: string, fn: Hook): () => void {
  hooks.set(name, fn);
  return () => { if (hooks.get(name) === fn) hooks.delete(name); };
}

export function describeAction(a: LabAction): string {
  return 'command' in a ? `command "${a.command}"` : `hook "${a.hook}"`;
}

/** Run the action; throws (a setup ERROR, never a device verdict) when it fails. */
export async function runLabAction(a: LabAction, signal?: AbortSignal): Promise<void> {
  if ('hook' in a) {
    const fn = hooks.get(a.hook);
    if (!fn) throw new Error(`lab hook "${a.hook}" is not registered in this process (use a command under hil run)`);
    await fn();
    return;
  }
  // p.kill() ends the whole process tree; an AbortSignal would orphan grandchildren (notes/libraries.md §7).
  const p = $({ quiet: true, nothrow: true, timeout: a.timeoutMs })`bash -c ${a.command}`;
  const onAbort = () => void p.kill();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await p;
    if (r.exitCode !== 0) throw new Error(`lab ${describeAction(a)} failed (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().slice(-300)}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** An in-process hook declares no timeout; the bench code that registers it keeps it short. */
const HOOK_BOUND_MS = 30_000;

/** Worst-case time of the action: the command's declared timeout (a hook: HOOK_BOUND_MS), for scenario budgets. */
export function labActionBoundMs(a: LabAction): number {
  return 'command' in a ? a.timeoutMs : HOOK_BOUND_MS;
}
