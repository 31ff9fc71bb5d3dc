/** A password change judged by its effect: which password logs in afterwards. */
export interface ChangeOutcome {
  effect: 'changed' | 'unchanged' | 'unknown';
  /** The device's reply to the change command (secrets are masked by the evidence log, not here). */
  reply: string;
  detail: string;
}

/**
 * Changing an account's password through whatever the device offers (a console command
 * template). At most one failed login per change, always followed by a good one, so the probes
 * never walk the account into a lockout.
 */
export interface PasswordChanger {
  readonly username: string;
  change(old: string, next: string, signal: AbortSignal): Promise<ChangeOutcome>;
  /**
   * Set the current password again. Re-setting leaves nothing to observe, so this is judged by the
   * reply: `accepted` is undefined when the profile gives no pattern for a successful change.
   */
  setSame(current: string, signal: AbortSignal): Promise<{ accepted: boolean | undefined; reply: string; detail: string }>;
}
