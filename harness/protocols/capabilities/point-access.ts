/**
 * One way of writing and reading back a declared process point on one interface. The range-check
 * oracle drives every interface through this, so its judgement never depends on the protocol:
 * each write returns what the reply said (rejected or not, the code) and each read the value in
 * engineering units. Device behaviour comes back as data; only harness/setup trouble throws.
 */
import type { Point } from '../../profile/target-schema.js';

export type AccessPath = 'modbus-tcp' | 'modbus-rtu' | 'mqtt' | 'opcua' | 'console';

/** How a value is written: Modbus FC06, FC16 (one register), FC16 over a neighbour too; one way elsewhere. */
export type WriteMethod = 'fc06' | 'fc16' | 'fc16-array' | 'default';

export interface PointRef {
  name: string;
  spec: Point;
}

export interface WriteOutcome {
  /** The reply rejected the write; undefined when the interface gives no reply (MQTT without a status topic). */
  replyRejected: boolean | undefined;
  /** Exception code, status name or message that carried the answer. */
  code?: string;
  /** Short human summary of the reply for reasons and measurements. */
  reply: string;
  /** What went on the wire, e.g. "FC16 HR0..1 = [0x0064, 0x032a]". */
  sent: string;
  /** The link failed (timeout, closed, garbage): the write's fate is unknown. */
  failure?: string;
  /** The rejection code is not one the profile declares (Modbus `rejectCodes`); undefined when nothing is declared. */
  undeclaredCode?: boolean;
  /** Other values the device may decode from the same bytes (see RangeObservation.interpretations). */
  interpretations?: number[];
}

export type ReadOutcome = { ok: true; value: number | boolean; text: string } | { ok: false; error: string };

export interface PointAccess {
  readonly path: AccessPath;
  /** Why this point cannot be written/read on this path (not mapped there, not readable), or undefined. */
  unsupported(point: PointRef): string | undefined;
  /** Write methods to exercise for this point (at least one). */
  methods(point: PointRef): WriteMethod[];
  /** Why a wrong-type value cannot be expressed on this path (Modbus registers carry only integers), or undefined. */
  wrongTypeUnsupported(): string | undefined;
  /** Smallest distinguishable step in engineering units (register scale); comparisons use half of it. */
  resolution(point: PointRef): number;
  read(point: PointRef): Promise<ReadOutcome>;
  write(point: PointRef, value: number | string, method?: WriteMethod): Promise<WriteOutcome>;
  close(): Promise<void>;
}

/**
 * Defaults for paths that write a point one way and carry typed values (MQTT, OPC UA, console):
 * one write method, wrong types expressible, 0.1 engineering-unit resolution.
 */
export abstract class TypedPointAccess implements PointAccess {
  abstract readonly path: AccessPath;
  abstract unsupported(point: PointRef): string | undefined;
  abstract read(point: PointRef): Promise<ReadOutcome>;
  abstract write(point: PointRef, value: number | string, method?: WriteMethod): Promise<WriteOutcome>;
  abstract close(): Promise<void>;

  methods(): WriteMethod[] {
    return ['default'];
  }

  wrongTypeUnsupported(): string | undefined {
    return undefined;
  }

  resolution(): number {
    return 0.1;
  }
}

/** Human name of a write method for reasons ("FC16 write", "OPC UA write"). */
export function methodLabel(path: AccessPath, method: WriteMethod): string {
  switch (method) {
    case 'fc06':
      return 'FC06 write';
    case 'fc16':
      return 'FC16 write';
    case 'fc16-array':
      return 'FC16 multi-register write';
    default:
      return path === 'mqtt' ? 'MQTT command' : path === 'opcua' ? 'OPC UA write' : path === 'console' ? 'console command' : 'write';
  }
}
