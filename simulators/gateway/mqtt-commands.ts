// JSON commands arriving on the cmd topic (embedded broker or external broker): validation,
// range reaction, application, and the status reply. Also builds the telemetry message.
import { z } from 'zod';
import type { AlertSink } from './alerts.ts';
import type { ProcessModel } from './process-model.ts';
import { checkPointValue } from './points.ts';
import type { RangeReaction } from './sim-config.ts';

export const MqttCommandSchema = z.object({
  point: z.string(),
  value: z.unknown(),
  id: z.union([z.string(), z.number()]).optional(),
});
export type MqttCommand = z.infer<typeof MqttCommandSchema>;

export interface CommandStatus {
  id?: string | number;
  ok: boolean;
  reason?: string;
  point?: string;
  value?: unknown;
}

/**
 * Applies one command; the status to publish, or undefined when the device stays silent (switch
 * mqttSilentOutOfRange: an out-of-range value is applied as sent and no reply goes out).
 */
export function handleCommand(
  payload: Buffer,
  deps: { model: ProcessModel; reaction: RangeReaction; alerts: AlertSink; user?: string; silentOutOfRange?: boolean },
): CommandStatus | undefined {
  let json: unknown;
  try { json = JSON.parse(payload.toString('utf8')); } catch { return reject({ ok: false, reason: 'bad-json' }); }
  const parsed = MqttCommandSchema.safeParse(json);
  if (!parsed.success) return reject({ ok: false, reason: 'bad-command' });
  const { point, value, id } = parsed.data;
  const r = checkPointValue(point, value, deps.reaction);
  if (deps.silentOutOfRange && (r.ok ? r.clamped : r.reason === 'out-of-range')) {
    const raw = checkPointValue(point, value, 'accept');
    if (raw.ok) {
      deps.model.write(point as Parameters<ProcessModel['write']>[0], raw.value);
      deps.model.masterTraffic('mqtt');
      return undefined;
    }
  }
  if (!r.ok) return reject({ id, ok: false, reason: r.reason, point, value });
  deps.model.write(point as Parameters<ProcessModel['write']>[0], r.value);
  // Only an accepted command proves a live master; garbage must not keep the watchdog fed.
  deps.model.masterTraffic('mqtt');
  return { id, ok: true, point, value: r.value, ...(r.clamped ? { reason: 'clamped' } : {}) };

  function reject(s: CommandStatus): CommandStatus {
    deps.alerts.raise({ event: 'command-rejected', surface: 'mqtt', user: deps.user, point: s.point, value: s.value, reason: s.reason });
    return s;
  }
}

export function telemetryMessage(model: ProcessModel): Record<string, unknown> {
  const s = model.snapshot();
  return {
    ts: new Date().toISOString(),
    ...s.commanded,
    temperature: Math.round(s.temperature * 100) / 100,
    heartbeat: s.heartbeat,
    safeState: s.safeState,
    outputs: s.actual,
  };
}
