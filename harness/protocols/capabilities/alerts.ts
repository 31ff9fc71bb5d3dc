/**
 * Where a device raises its security alerts (a lock, rejected commands), watched over its own
 * session so a scenario can ask "did this raise an alert?". Counting, not parsing: alert payload
 * formats are vendor-specific.
 */
export interface AlertFeed {
  /** Where the alerts arrive (a topic, a log), for reasons. */
  readonly topic: string;
  /** Everything that arrived since the feed opened; `at` is Date.now() at arrival. */
  readonly messages: readonly { at: number; text: string }[];
  close(): Promise<void>;
}

export interface AlertsCapability {
  /** The alert destination the profile declares on this protocol, or undefined when it declares none. */
  declared(target: import('../../profile/target-schema.js').TargetProfile): string | undefined;
  /** Subscribe before the probes, as `account`. Throws when the feed cannot be opened. */
  open(
    target: import('../../profile/target-schema.js').TargetProfile,
    account: { username: string; password: string },
    ctx: import('../transport/channel.js').ChannelContext,
  ): Promise<AlertFeed>;
}
