import { loadTargetFile, type LoadedTarget } from '../profile/load-target.js';
import { resolveSecrets, type ResolvedSecrets } from '../profile/secrets.js';

/** A target profile loaded, validated and with its secrets resolved: once, in the `hil` process. */
export interface PreparedTarget extends LoadedTarget {
  secrets: ResolvedSecrets;
  /** The environment the profile was interpolated from; the scenario worker gets the same one. */
  env: NodeJS.ProcessEnv;
}

/** Validate a target before anything is sent to it: profile schema and secrets. Throws ProfileError / MissingSecretError. */
export function prepareTarget(targetFile: string, env: NodeJS.ProcessEnv = process.env): PreparedTarget {
  const target = loadTargetFile(targetFile, env);
  return { ...target, secrets: resolveSecrets(target.profile, env), env };
}
