import { startSimulator } from './simulators/gateway/index.ts';
import { EvidenceLog } from './harness/evidence/evidence-log.ts';
import { Redactor } from './harness/evidence/redactor.ts';
import { OpcuaAuthSurface } from './harness/oracles/auth-surfaces/opcua-auth.ts';
import { MqttAuthSurface } from './harness/oracles/auth-surfaces/mqtt-auth.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os'; import { join } from 'node:path';
const sim = await startSimulator({ profile: 'hardened' });
const ev = new EvidenceLog(mkdtempSync(join(tmpdir(),'x-')), 't', new Redactor());
const s = new OpcuaAuthSurface({ endpoint: sim.endpoints.opcua!, securityPolicy: 'Basic256Sha256', securityMode: 'SignAndEncrypt', timeoutMs: 8000 }, { evidence: ev }, 'ns=1;s=Gateway.HeaterSetpoint');
for (const pw of ['Adm1n!Sim-Hardened-2026', 'wrong', 'Adm1n!Sim-Hardened-2026']) { const t=Date.now(); console.log(await s.attempt('admin', pw, AbortSignal.timeout(10000)), Date.now()-t); }
console.log(await s.anonymous(AbortSignal.timeout(10000)));
const m = new MqttAuthSurface({ url: sim.endpoints.mqtt, protocolVersion: 4, tls: { rejectUnauthorized: false }, topics: { telemetry: 'gw/gw-sim-01/telemetry', command: 'gw/gw-sim-01/cmd' }, commandTemplate: '', rejectedStatus: 'x', timeoutMs: 3000 } as any, { evidence: ev });
for (const pw of ['Adm1n!Sim-Hardened-2026', 'wrong', 'Adm1n!Sim-Hardened-2026']) { const t=Date.now(); console.log(await m.attempt('admin', pw, AbortSignal.timeout(10000)), Date.now()-t); }
console.log(await m.anonymous(AbortSignal.timeout(10000)));
await sim.stop();
