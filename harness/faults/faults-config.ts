/** The profile's `faults` section with every default applied (the section itself is optional). */
import { FaultsConfig, type TargetProfile } from '../profile/target-schema.js';

export function faultsConfig(t: TargetProfile): FaultsConfig {
  return t.faults ?? FaultsConfig.parse({});
}
