/**
 * What `hil run` hands its scenario host besides the jobs: the environment (which carries the
 * secrets: they travel only there, never through a file or a message) and these names.
 */
export const RUN_ENV = {
  /** Pid of the `hil run` process: the host ends the moment it is gone. */
  parentPid: 'HIL_PARENT_PID',
} as const;

/** The copy of the target profile kept in the run directory; the host loads this, not the original. */
export const PROFILE_SNAPSHOT = 'target.yaml';
