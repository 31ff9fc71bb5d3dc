import { dirname } from 'node:path';
import type { EvidenceLog } from '../evidence/evidence-log.js';
import type { LoadedTarget } from '../profile/load-target.js';

/** A target shipped as a container image: started before the scenarios, stopped after them. */
export async function startTargetContainer(target: LoadedTarget, evidence: EvidenceLog, env: NodeJS.ProcessEnv) {
  const { startContainerTarget, loopbackTcpEndpoints } = await import('../container/container-target.js');
  const p = target.profile;
  evidence.event('harness', `starting container ${p.container!.image}`);
  const c = await startContainerTarget(p.container!, {
    env,
    // Binds are relative to the profile the lab wrote, not to the run directory's snapshot.
    baseDir: dirname(target.path),
    targetName: p.name,
    waitForTcp: loopbackTcpEndpoints([p.interfaces.modbus?.tcp, p.interfaces.mqtt?.url, p.monitor?.modbusTcp]),
  });
  evidence.event('harness', `container ${c.containerId} started`);
  return c;
}
