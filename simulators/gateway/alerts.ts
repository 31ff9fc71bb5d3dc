// Security events raised by any surface. The MQTT gateway publishes them on the alert topic;
// the simulator keeps a log for tests. With the `alerts` switch off, nothing is raised.
import { EventEmitter } from 'node:events';

export type Surface = 'console' | 'console-tcp' | 'mqtt' | 'opcua' | 'modbus' | 'debug';
export interface SecurityAlert {
  event: 'account-locked' | 'command-rejected' | 'login-failed' | 'password-changed' | 'safe-state';
  ts: string;
  user?: string;
  surface?: Surface;
  [detail: string]: unknown;
}

/** Events: 'alert' (SecurityAlert). */
export class AlertSink extends EventEmitter {
  readonly log: SecurityAlert[] = [];
  constructor(private readonly enabled: boolean) { super(); }

  raise(alert: Omit<SecurityAlert, 'ts'>): void {
    if (!this.enabled) return;
    const full = { ...alert, ts: new Date().toISOString() } as SecurityAlert;
    this.log.push(full);
    if (this.log.length > 1000) this.log.shift();
    this.emit('alert', full);
  }
}
